"""One method per command the posts service takes, HTTP commands and reads alike. Each
write runs in one transaction (or one statement) that also writes its events."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from ulid import ULID

from services.posts.domain.accounts import Account, Profile
from services.posts.domain.feed import FeedQuery
from services.posts.domain.mail import Purpose
from services.posts.domain.moderation import report_weight
from services.posts.domain.organisations import OrganisationStatus
from services.posts.domain.photos import MAX_UPLOAD_BYTES
from services.posts.domain.posts import Post, PostDraft
from services.posts.domain.sessions import RefreshToken, Verdict, judge, token_hash
from services.posts.ports import (
    Clock,
    Gazetteer,
    ImageProcessor,
    Limit,
    Limiter,
    Passwords,
    PhotoStore,
    Place,
    PostQueries,
    Secrets,
    Store,
    TokenIssuer,
    UnitOfWork,
    View,
)
from shared.contract.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    Unauthorized,
)
from shared.contract.identity import Claims, Role
from shared.contract.values import OfferAnswer, Outcome, ReplyIntent, Urgency

EXPIRY_BATCH = 200
MINUTE_S = 60
HOUR_S = 3600
DAY_S = 24 * HOUR_S
PLACES_SHOWN = 8
FORGET_SESSIONS_AFTER = timedelta(days=1)  # past a refresh token's expiry


@dataclass(frozen=True)
class Limits:
    """How much one member (or, for log-ins, one address) may do."""

    posts_per_hour: int
    replies_per_hour: int
    reports_per_hour: int
    # Urgent requests alert people nearby: a member may raise only so many a day.
    urgent_per_day: int
    logins_per_window: int
    login_window_s: int
    registrations_per_address: int  # an hour
    registrations_per_minute: int  # everyone's together
    # Distinct reports that hide a post until a moderator looks.
    report_hide_threshold: int


@dataclass(frozen=True)
class SessionPolicy:
    """How long an access token lives (short: it cannot be revoked), and a session."""

    access_token_ttl_s: int
    refresh_token_ttl: timedelta


@dataclass(frozen=True)
class Granted:
    """A session granted or renewed: the access token, and the refresh token that is
    the member's only way to the next one (the web client never sees it: a cookie)."""

    access_token: str
    expires_in_s: int
    refresh_token: str
    refresh_expires_in_s: int
    account: Account


@dataclass
class Handlers:
    store: Store
    queries: PostQueries
    limiter: Limiter
    passwords: Passwords
    tokens: TokenIssuer
    clock: Clock
    limits: Limits
    sessions: SessionPolicy
    secrets: Secrets
    places: Gazetteer
    images: ImageProcessor
    photos: PhotoStore

    # accounts -----------------------------------------------------------------
    async def register(
        self, email: str, password: str, profile: Profile, address: str = "unknown"
    ) -> Account:
        """A new account; limited per address and overall before any hashing is done."""
        limits = self.limits
        await self._limit_registrations(Limit("registrations", limits.registrations_per_address,
                                              HOUR_S), address)  # fmt: skip
        await self._limit_registrations(Limit("registrations-all", limits.registrations_per_minute,
                                              MINUTE_S), "everyone")  # fmt: skip
        await self._require_strong(password, "password", [email, profile.display_name])
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
                raise Conflict(
                    "an account with this e-mail already exists", field="email", code="email_taken"
                )
            await uow.add_events([account.profile_changed(account.created_at)])
        return account

    async def log_in(self, email: str, password: str, address: str) -> Granted:
        """A new session: an access token and the first refresh token of a new family."""
        limit = Limit("logins", self.limits.logins_per_window, self.limits.login_window_s)
        await self.limiter.hit(limit, address)
        async with self.store.transaction() as uow:
            account = await uow.account_by_email(email)
        if not await self.passwords.verify(account.password_hash if account else None, password):
            raise Unauthorized("wrong e-mail or password", field="password", code="wrong_login")
        assert account is not None
        if account.suspended_at is not None:
            raise Forbidden("this account is suspended by a moderator", field="email",
                            code="suspended")  # fmt: skip
        async with self.store.transaction() as uow:
            return await self._grant(uow, account, family_id=str(ULID()))

    async def refresh(self, presented: str | None) -> Granted:
        """Exchange a refresh token for a new access token and the family's next refresh
        token. A token presented twice was copied: its family is revoked."""
        now = self.clock()
        async with self.store.transaction() as uow:
            token = await uow.refresh_token_for_update(token_hash(presented or ""))
            verdict = judge(token, now)
            if verdict in (Verdict.VALID, Verdict.RACED):
                assert token is not None
                account = await uow.account(token.account_id)
                if account is not None and account.suspended_at is None:
                    if verdict is Verdict.VALID:
                        token.used_at = now
                        await uow.save_refresh_token(token)
                    return await self._grant(uow, account, token.family_id)
            elif verdict is Verdict.REUSED:
                assert token is not None
                await uow.revoke_family(token.family_id, now)
        # Outside the transaction, so that a revocation above is committed.
        raise Unauthorized(f"the session is over ({verdict.value})", code="session_over")

    async def log_out(self, presented: str | None) -> None:
        """End this device's session (its family); an unknown token ends nothing."""
        now = self.clock()
        async with self.store.transaction() as uow:
            token = await uow.refresh_token_for_update(token_hash(presented or ""))
            if token is not None:
                await uow.revoke_family(token.family_id, now)

    async def change_password(self, member: Claims, current: str, new: str) -> Granted:
        """Every session ends (a thief's too); this device gets a new one. Limited like
        log-ins: a stolen access token must not be a way to guess the password."""
        limit = Limit("passwords", self.limits.logins_per_window, self.limits.login_window_s)
        await self.limiter.hit(limit, member.member_id)
        async with self.store.transaction() as uow:
            account = await uow.account(member.member_id)
        if account is None:
            raise Unauthorized("no such account", field="authorization", code="session_over")
        if not await self.passwords.verify(account.password_hash, current):
            raise Invalid("the current password is wrong", field="current_password",
                          code="wrong_password")  # fmt: skip
        about = [account.email, account.profile.display_name]
        await self._require_strong(new, "new_password", about)
        account.password_hash = await self.passwords.hash(new)
        async with self.store.transaction() as uow:
            await uow.save_password(account.id, account.password_hash)
            await uow.revoke_sessions(account.id, self.clock())
            # A reset link still in the mailbox must not undo the new password.
            await uow.spend_mail_tokens(account.id, Purpose.RESET.value, self.clock())
            return await self._grant(uow, account, family_id=str(ULID()))

    async def _limit_registrations(self, limit: Limit, who: str) -> None:
        try:
            await self.limiter.hit(limit, who)
        except RateLimited as exc:
            raise RateLimited("too many new accounts: try again later", exc.retry_after_s,
                              code="registrations_limited") from exc  # fmt: skip

    async def _require_strong(self, password: str, field: str, about: list[str]) -> None:
        if await self.passwords.too_guessable(password, about):
            raise Invalid("this password is too easy to guess: a few unrelated words make "
                          "a strong one", field=field, code="weak_password")  # fmt: skip

    async def forget_sessions(self) -> int:
        """Drop refresh tokens expired for a while (a late reuse is then just unknown)."""
        async with self.store.transaction() as uow:
            return await uow.forget_refresh_tokens(self.clock() - FORGET_SESSIONS_AFTER)

    async def _grant(self, uow: UnitOfWork, account: Account, family_id: str) -> Granted:
        policy = self.sessions
        refresh = self.secrets()
        token = RefreshToken.issue(
            refresh, family_id, account.id, self.clock(), policy.refresh_token_ttl
        )
        await uow.add_refresh_token(token)
        access = self.tokens.issue(
            account.id, account.role, policy.access_token_ttl_s, account.profile.display_name
        )
        return Granted(
            access_token=access,
            expires_in_s=policy.access_token_ttl_s,
            refresh_token=refresh,
            refresh_expires_in_s=int(policy.refresh_token_ttl.total_seconds()),
            account=account,
        )

    async def account(self, member: Claims) -> Account:
        async with self.store.transaction() as uow:
            account = await uow.account(member.member_id)
        if account is None:
            raise Unauthorized("no such account", field="authorization", code="session_over")
        return account

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
        if draft.on_behalf_of is not None:
            await self._require_verified_organisation(member)
        post = Post.create(str(ULID()), member.member_id, draft, self.clock(), member.display_name)
        if post.urgency is Urgency.URGENT:
            await self._count_urgent(member.member_id)
        byline = await self.store.add_post(post)
        return self.queries.new_post(post, byline, member)

    async def edit_post(self, member: Claims, post_id: str, changes: dict) -> View:
        async with self.store.transaction() as uow:
            post = await _post(uow, post_id)
            post.edit(member.member_id, changes, self.clock(), member.display_name)
            await uow.save_post(post)
        return await self.queries.post(post_id, member)

    async def resolve_post(
        self, member: Claims, post_id: str, outcome: Outcome, helped_by: list[str]
    ) -> View:
        async with self.store.transaction() as uow:
            post = await _post(uow, post_id)
            repliers = await uow.repliers(post_id) if helped_by else set()
            post.resolve(member.member_id, member.role, outcome, self.clock(), helped_by, repliers)
            await uow.save_post(post)
        return await self.queries.post(post_id, member)

    async def withdraw_post(self, member: Claims, post_id: str) -> View:
        async with self.store.transaction() as uow:
            post = await _post(uow, post_id)
            post.withdraw(member.member_id, self.clock())
            await uow.save_post(post)
        return await self.queries.post(post_id, member)

    async def report_post(
        self, member: Claims, post_id: str, reason: str, address: str = "unknown"
    ) -> None:
        """A report weighs by its reporter's standing, and an address counts once per
        post: a handful of fresh accounts cannot hide a post (ADR 0021)."""
        limit = self._hourly("reports", self.limits.reports_per_hour)
        await self.limiter.hit(limit, member.member_id)
        now = self.clock()
        async with self.store.transaction() as uow:
            post = await _post(uow, post_id)
            standing = await uow.standing(member.member_id)
            counted = await uow.address_reported(post_id, address)
            weight = report_weight(standing, now, address_counted=counted)
            post.report(member.member_id, weight, self.limits.report_hide_threshold, now)
            if not await uow.add_report(post_id, member.member_id, reason, address, weight):
                raise Conflict("you already reported this post", field="post_id")
            await uow.save_post(post)

    async def reply(self, member: Claims, post_id: str, intent: ReplyIntent, body: str) -> View:
        """The reply as the thread shows it."""
        limit = self._hourly("replies", self.limits.replies_per_hour)
        await self.limiter.hit(limit, member.member_id)
        async with self.store.transaction() as uow:
            # FOR UPDATE: a reply and a concurrent resolve are ordered, never both "first".
            post = await _post(uow, post_id)
            reply = post.reply(
                str(ULID()), member.member_id, intent, body, self.clock(), member.display_name
            )
            await uow.add_reply(reply)
            await uow.add_events(post.events)
        return await self.queries.reply(reply.reply_id)

    async def answer_offer(
        self, member: Claims, post_id: str, reply_id: str, answer: OfferAnswer
    ) -> View:
        """The person's answer to an offer, recorded by the organisation that posted for
        them; the reply as the thread shows it."""
        async with self.store.transaction() as uow:
            post = await _post(uow, post_id)
            offer = await uow.offer_for_update(reply_id)
            if offer is None:
                raise NotFound("no such reply", field="reply_id")
            if post.answer_offer(member.member_id, offer, answer, self.clock()):
                await uow.set_offer_answer(reply_id, answer, self.clock())
                await uow.add_events(post.events)
        return await self.queries.reply(reply_id)

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

    async def thread(
        self, post_id: str, after: str | None, limit: int, viewer: Claims | None = None
    ) -> View:
        return await self.queries.thread(post_id, after, limit, viewer)

    async def my_posts(self, member: Claims, cursor: str | None, limit: int) -> View:
        return await self.queries.authored(member, cursor, limit)

    # photos -------------------------------------------------------------------
    async def add_photo(self, member: Claims, post_id: str, data: bytes) -> View:
        """Decode and re-encode the image (off the event loop), keep it, then add it to
        the post; a refused image leaves nothing behind."""
        if len(data) > MAX_UPLOAD_BYTES:
            raise Invalid("an image is at most 10 MiB", field="file", code="image_too_big",
                          params={"max": MAX_UPLOAD_BYTES})  # fmt: skip
        async with self.store.transaction() as uow:  # fail fast: not hers, closed, or full
            (await _post(uow, post_id)).require_room_for_a_photo(member.member_id)
        processed = await asyncio.to_thread(self.images.process, data)
        await self.photos.put(processed)
        async with self.store.transaction() as uow:
            post = await _post(uow, post_id)
            post.add_photo(member.member_id, processed.photo_id, self.clock(), member.display_name)
            await uow.save_post(post)
        return await self.queries.post(post_id, member)

    async def remove_photo(self, member: Claims, post_id: str, photo_id: str) -> View:
        async with self.store.transaction() as uow:
            post = await _post(uow, post_id)
            post.remove_photo(member.member_id, photo_id, self.clock(), member.display_name)
            await uow.save_post(post)
        return await self.queries.post(post_id, member)

    async def photo(self, photo_id: str, thumb: bool) -> bytes:
        body = await self.photos.get(photo_id, thumb)
        if body is None:
            raise NotFound("no such photo", field="photo_id")
        return body

    async def member_profile(self, member_id: str) -> View:
        profile = await self.queries.profile(member_id)
        if profile is None:
            raise NotFound("no such member", field="member_id")
        return profile

    async def find_places(self, text: str) -> list[Place]:
        return await self.places.search(text, PLACES_SHOWN)

    async def nearest_place(self, lat: float, lon: float) -> Place | None:
        return await self.places.nearest(lat, lon)

    async def _require_verified_organisation(self, member: Claims) -> None:
        async with self.store.transaction() as uow:
            organisation = await uow.organisation(member.member_id)
        if organisation is None or organisation.status is not OrganisationStatus.VERIFIED:
            raise Forbidden("only a verified organisation posts on behalf of a person",
                            field="on_behalf_of", code="organisations_only")  # fmt: skip

    async def _count_urgent(self, member_id: str) -> None:
        per_day = self.limits.urgent_per_day
        try:
            await self.limiter.hit(Limit("urgent", per_day, DAY_S), member_id)
        except RateLimited as exc:
            raise RateLimited(
                f"at most {per_day} urgent requests a day", exc.retry_after_s,
                field="urgency", code="urgent_limit", params={"n": per_day},
            ) from exc  # fmt: skip

    @staticmethod
    def _hourly(name: str, per_hour: int) -> Limit:
        return Limit(name, per_hour, HOUR_S)


async def _post(uow: UnitOfWork, post_id: str) -> Post:
    post = await uow.post_for_update(post_id)
    if post is None:
        raise NotFound("no such post", field="post_id")
    return post
