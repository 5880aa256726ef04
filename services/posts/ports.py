"""What the posts handlers need from the world, as protocols. The adapters implement
them (PostgreSQL, Redis, argon2, Ed25519 tokens); the unit tier's fakes
(``tests/fakes/posts.py``) implement them too."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from services.posts.domain.accounts import Account, Profile
from services.posts.domain.feed import FeedQuery
from services.posts.domain.posts import Post
from shared.contract.events import Event, ReplyCreated
from shared.contract.identity import Claims, Role

View = dict[str, Any]


class Clock(Protocol):
    def __call__(self) -> datetime: ...


@dataclass(frozen=True)
class Limit:
    """At most ``max_hits`` of ``name`` per ``window_s`` seconds, per member or address."""

    name: str
    max_hits: int
    window_s: int


class Limiter(Protocol):
    async def hit(self, limit: Limit, who: str) -> None:
        """Count one hit; raise ``RateLimited`` (with the seconds to wait) over the limit."""


class Passwords(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """False for a wrong password, and (in the same time) for no account at all."""


class TokenIssuer(Protocol):
    def issue(self, member_id: str, role: Role) -> str: ...


class UnitOfWork(Protocol):
    """One transaction: every write that changes state also writes its events."""

    async def add_account(self, account: Account) -> bool:
        """False when the e-mail is taken."""

    async def account(self, account_id: str) -> Account | None: ...

    async def account_by_email(self, email: str) -> Account | None: ...

    async def save_profile(self, account_id: str, profile: Profile) -> None: ...

    async def post_for_update(self, post_id: str) -> Post | None:
        """The post, locked until the transaction ends."""

    async def save_post(self, post: Post) -> None:
        """The post's new state, and the events it recorded."""

    async def due_posts(self, now: datetime, limit: int) -> list[Post]:
        """Live posts whose expiry has passed, locked (none another sweeper holds)."""

    async def add_report(self, post_id: str, reporter_id: str, reason: str) -> bool:
        """False when this member already reported this post."""

    async def add_reply(self, reply: ReplyCreated) -> None: ...

    async def add_events(self, events: Sequence[Event]) -> None: ...


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[UnitOfWork]: ...

    async def add_post(self, post: Post) -> str:
        """Write a new post and its events atomically; return its author's display name."""


class PostQueries(Protocol):
    """The read side: public views, which never hold the exact point but for its author."""

    async def feed(self, query: FeedQuery, viewer: Claims | None) -> View: ...

    async def post(self, post_id: str, viewer: Claims | None) -> View: ...

    async def reply(self, reply_id: str) -> View: ...

    async def thread(self, post_id: str, after: str | None, limit: int) -> View: ...

    def new_post(self, post: Post, author_name: str, viewer: Claims | None) -> View:
        """The view of a post just written, without reading it back."""
