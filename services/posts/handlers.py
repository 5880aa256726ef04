"""One function per command. Each runs in one transaction (or one statement) that also
writes the events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from ulid import ULID

from services.posts.adapters.passwords import hash_password, verify_password
from services.posts.adapters.ratelimit import Limit, RateLimiter
from services.posts.adapters.store import PostgresStore
from services.posts.domain.accounts import Account, Profile
from services.posts.domain.errors import Conflict, NotFound, Unauthorized
from services.posts.domain.posts import Post, PostDraft
from services.posts.settings import PostsSettings
from shared.auth import Claims, Role, TokenSigner
from shared.events.values import Outcome, ReplyIntent

EXPIRY_BATCH = 200


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Handlers:
    store: PostgresStore
    limiter: RateLimiter
    signer: TokenSigner
    settings: PostsSettings
    clock: Callable[[], datetime] = utcnow

    def _limit(self, name: str, per_hour: int) -> Limit:
        return Limit(name, per_hour, 3600)

    # accounts -----------------------------------------------------------------
    async def register(self, email: str, password: str, profile: Profile) -> Account:
        account = Account(
            id=str(ULID()),
            email=email,
            password_hash=await hash_password(password),
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
        s = self.settings
        await self.limiter.hit(Limit("logins", s.logins_per_window, s.login_window_s), address)
        async with self.store.transaction() as uow:
            account = await uow.account_by_email(email)
        if not await verify_password(account.password_hash if account else None, password):
            raise Unauthorized("wrong e-mail or password", field="password")
        assert account is not None
        return self.signer.issue(account.id, account.role), account

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
    async def create_post(self, member: Claims, draft: PostDraft) -> tuple[Post, str]:
        """The new post and its author's display name (for the response)."""
        await self.limiter.hit(self._limit("posts", self.settings.posts_per_hour), member.member_id)
        post = Post.create(str(ULID()), member.member_id, draft, self.clock())
        return post, await self.store.add_post(post)

    async def edit_post(self, member: Claims, post_id: str, changes: dict) -> Post:
        async with self.store.transaction() as uow:
            post = await self._post(uow, post_id)
            post.edit(member.member_id, changes, self.clock())
            await uow.save_post(post)
        return post

    async def resolve_post(self, member: Claims, post_id: str, outcome: Outcome) -> Post:
        async with self.store.transaction() as uow:
            post = await self._post(uow, post_id)
            post.resolve(member.member_id, member.role, outcome, self.clock())
            await uow.save_post(post)
        return post

    async def report_post(self, member: Claims, post_id: str, reason: str) -> Post:
        limit = self._limit("reports", self.settings.reports_per_hour)
        await self.limiter.hit(limit, member.member_id)
        async with self.store.transaction() as uow:
            post = await self._post(uow, post_id)
            post.report(member.member_id, self.settings.report_hide_threshold, self.clock())
            if not await uow.add_report(post_id, member.member_id, reason):
                raise Conflict("you already reported this post", field="post_id")
            await uow.save_post(post)
        return post

    async def remove_post(self, member: Claims, post_id: str) -> Post:
        async with self.store.transaction() as uow:
            post = await self._post(uow, post_id)
            post.remove(member.role, self.clock())
            await uow.save_post(post)
        return post

    async def reply(self, member: Claims, post_id: str, intent: ReplyIntent, body: str):
        limit = self._limit("replies", self.settings.replies_per_hour)
        await self.limiter.hit(limit, member.member_id)
        async with self.store.transaction() as uow:
            # FOR UPDATE: a reply and a concurrent resolve are ordered, never both "first".
            post = await self._post(uow, post_id)
            reply = post.reply(str(ULID()), member.member_id, intent, body, self.clock())
            await uow.add_reply(reply)
            await uow.add_events(post.events)
        return reply

    async def expire_due(self) -> int:
        """Expire the posts whose time has passed; returns how many."""
        now = self.clock()
        async with self.store.transaction() as uow:
            due = await uow.due_posts(now, EXPIRY_BATCH)
            for post in due:
                post.expire(now)
                await uow.save_post(post)
        return len(due)

    @staticmethod
    async def _post(uow, post_id: str) -> Post:
        post = await uow.post_for_update(post_id)
        if post is None:
            raise NotFound("no such post", field="post_id")
        return post
