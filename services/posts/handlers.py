"""One method per command the posts service takes, HTTP commands and reads alike. Each
write runs in one transaction (or one statement) that also writes its events."""

from __future__ import annotations

from dataclasses import dataclass

from ulid import ULID

from services.posts.domain.accounts import Account, Profile
from services.posts.domain.feed import FeedQuery
from services.posts.domain.posts import Post, PostDraft
from services.posts.ports import (
    Clock,
    Limit,
    Limiter,
    Passwords,
    PostQueries,
    Store,
    TokenIssuer,
    UnitOfWork,
    View,
)
from shared.contract.errors import Conflict, NotFound, Unauthorized
from shared.contract.identity import Claims, Role
from shared.contract.values import Outcome, ReplyIntent

EXPIRY_BATCH = 200
HOUR_S = 3600


@dataclass(frozen=True)
class Limits:
    """How much one member (or, for log-ins, one address) may do."""

    posts_per_hour: int
    replies_per_hour: int
    reports_per_hour: int
    logins_per_window: int
    login_window_s: int
    # Distinct reports that hide a post until a moderator looks.
    report_hide_threshold: int


@dataclass
class Handlers:
    store: Store
    queries: PostQueries
    limiter: Limiter
    passwords: Passwords
    tokens: TokenIssuer
    clock: Clock
    limits: Limits

    # accounts -----------------------------------------------------------------
    async def register(self, email: str, password: str, profile: Profile) -> Account:
        account = Account(
            id=str(ULID()),
            email=email,
            password_hash=await self.passwords.hash(password),
            role=Role.MEMBER,
            profile=profile,
            created_at=self.clock(),
        )
        async with self.store.transaction() as uow:
            if not await uow.add_account(account):
                raise Conflict("an account with this e-mail already exists", field="email")
            await uow.add_events([account.profile_changed(account.created_at)])
        return account

    async def log_in(self, email: str, password: str, address: str) -> tuple[str, Account]:
        limit = Limit("logins", self.limits.logins_per_window, self.limits.login_window_s)
        await self.limiter.hit(limit, address)
        async with self.store.transaction() as uow:
            account = await uow.account_by_email(email)
        if not await self.passwords.verify(account.password_hash if account else None, password):
            raise Unauthorized("wrong e-mail or password", field="password")
        assert account is not None
        return self.tokens.issue(account.id, account.role), account

    async def update_profile(self, member: Claims, changes: dict) -> Account:
        async with self.store.transaction() as uow:
            account = await uow.account(member.member_id)
            if account is None:
                raise NotFound("no such account", field="member_id")
            for name, value in changes.items():
                setattr(account.profile, name, value)
            await uow.save_profile(account.id, account.profile)
            await uow.add_events([account.profile_changed(self.clock())])
        return account

    # posts --------------------------------------------------------------------
    async def create_post(self, member: Claims, draft: PostDraft) -> View:
        """The new post's public view (with its exact point: the viewer is its author)."""
        await self.limiter.hit(self._hourly("posts", self.limits.posts_per_hour), member.member_id)
        post = Post.create(str(ULID()), member.member_id, draft, self.clock())
        author_name = await self.store.add_post(post)
        return self.queries.new_post(post, author_name, member)

    async def edit_post(self, member: Claims, post_id: str, changes: dict) -> View:
        async with self.store.transaction() as uow:
            post = await _post(uow, post_id)
            post.edit(member.member_id, changes, self.clock())
            await uow.save_post(post)
        return await self.queries.post(post_id, member)

    async def resolve_post(self, member: Claims, post_id: str, outcome: Outcome) -> View:
        async with self.store.transaction() as uow:
            post = await _post(uow, post_id)
            post.resolve(member.member_id, member.role, outcome, self.clock())
            await uow.save_post(post)
        return await self.queries.post(post_id, member)

    async def report_post(self, member: Claims, post_id: str, reason: str) -> None:
        limit = self._hourly("reports", self.limits.reports_per_hour)
        await self.limiter.hit(limit, member.member_id)
        async with self.store.transaction() as uow:
            post = await _post(uow, post_id)
            post.report(member.member_id, self.limits.report_hide_threshold, self.clock())
            if not await uow.add_report(post_id, member.member_id, reason):
                raise Conflict("you already reported this post", field="post_id")
            await uow.save_post(post)

    async def remove_post(self, member: Claims, post_id: str) -> None:
        async with self.store.transaction() as uow:
            post = await _post(uow, post_id)
            post.remove(member.role, self.clock())
            await uow.save_post(post)

    async def reply(self, member: Claims, post_id: str, intent: ReplyIntent, body: str) -> View:
        """The reply as the thread shows it."""
        limit = self._hourly("replies", self.limits.replies_per_hour)
        await self.limiter.hit(limit, member.member_id)
        async with self.store.transaction() as uow:
            # FOR UPDATE: a reply and a concurrent resolve are ordered, never both "first".
            post = await _post(uow, post_id)
            reply = post.reply(str(ULID()), member.member_id, intent, body, self.clock())
            await uow.add_reply(reply)
            await uow.add_events(post.events)
        return await self.queries.reply(reply.reply_id)

    async def expire_due(self) -> int:
        """Expire the posts whose time has passed; returns how many."""
        now = self.clock()
        async with self.store.transaction() as uow:
            due = await uow.due_posts(now, EXPIRY_BATCH)
            for post in due:
                post.expire(now)
                await uow.save_post(post)
        return len(due)

    # reads --------------------------------------------------------------------
    async def feed(self, query: FeedQuery, viewer: Claims | None) -> View:
        return await self.queries.feed(query, viewer)

    async def post(self, post_id: str, viewer: Claims | None) -> View:
        return await self.queries.post(post_id, viewer)

    async def thread(self, post_id: str, after: str | None, limit: int) -> View:
        return await self.queries.thread(post_id, after, limit)

    @staticmethod
    def _hourly(name: str, per_hour: int) -> Limit:
        return Limit(name, per_hour, HOUR_S)


async def _post(uow: UnitOfWork, post_id: str) -> Post:
    post = await uow.post_for_update(post_id)
    if post is None:
        raise NotFound("no such post", field="post_id")
    return post
