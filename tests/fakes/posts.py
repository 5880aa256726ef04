"""Fakes of the posts service's ports (services/posts/ports.py)."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from services.posts.domain.accounts import Account, Profile
from services.posts.domain.conversations import Conversation, PostFacts
from services.posts.domain.feed import FeedQuery
from services.posts.domain.mail import MailToken
from services.posts.domain.moderation import Decision, Standing
from services.posts.domain.organisations import Organisation
from services.posts.domain.photos import Processed
from services.posts.domain.posts import LIVE_STATUSES, OfferFacts, Post
from services.posts.domain.sessions import RefreshToken
from services.posts.ports import Byline, Limit, Place, View
from shared.contract.errors import Invalid, NotFound, RateLimited
from shared.contract.events import Event, MessageSent, ReplyCreated
from shared.contract.identity import Claims, Role
from shared.contract.values import OfferAnswer


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class FakeLimiter:
    def __init__(self) -> None:
        self.hits: dict[tuple[str, str], int] = {}

    async def hit(self, limit: Limit, who: str) -> None:
        key = (limit.name, who)
        self.hits[key] = self.hits.get(key, 0) + 1
        if self.hits[key] > limit.max_hits:
            raise RateLimited(f"too many {limit.name}", limit.window_s)


class FakePasswords:
    async def hash(self, password: str) -> str:
        return f"hashed:{password}"

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return password_hash == f"hashed:{password}"

    async def too_guessable(self, password: str, about_the_member: list[str]) -> bool:
        return password in ("password123", "azertyuiop") or any(
            a and a.split("@")[0] in password for a in about_the_member
        )


class FakeTokens:
    def issue(self, member_id: str, role: Role, ttl_s: int, name: str) -> str:
        return f"token:{member_id}:{role.value}:{ttl_s}:{name}"


class FakeSecrets:
    """Refresh tokens "secret-1", "secret-2"... in order."""

    def __init__(self) -> None:
        self.issued = 0

    def __call__(self) -> str:
        self.issued += 1
        return f"secret-{self.issued}"


class FakeGazetteer:
    def __init__(self, places: Sequence[Place] = ()) -> None:
        self.places = list(places)

    async def search(self, text: str, limit: int) -> list[Place]:
        return [p for p in self.places if p.name.lower().startswith(text.lower())][:limit]

    async def nearest(self, lat: float, lon: float) -> Place | None:
        return min(self.places, key=lambda p: (p.lat - lat) ** 2 + (p.lon - lon) ** 2, default=None)


class Memory:
    """What the store holds; a transaction works on a copy and keeps it only if it ends
    without an error, as a database transaction would."""

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.posts: dict[str, Post] = {}
        self.replies: dict[str, ReplyCreated] = {}
        self.answers: dict[str, OfferAnswer] = {}
        self.member_reports: dict[tuple[str, str], str] = {}
        self.reports: dict[tuple[str, str], str] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.outbox: list[Event] = []
        self.mail_tokens: dict[str, MailToken] = {}
        self.decisions: list[Decision] = []
        self.report_addresses: list[tuple[str, str, float]] = []
        self.appeals: list[dict] = []
        self.organisations: dict[str, Organisation] = {}
        # The fake's own clock for rows the database would stamp (now()).
        self.now = lambda: datetime.now(UTC)
        self.conversations: dict[str, Conversation] = {}
        self.messages: dict[str, MessageSent] = {}
        self.blocks: set[tuple[str, str]] = set()
        self.conversation_reports: dict[tuple[str, str, str | None], str] = {}


class FakeUnitOfWork:
    def __init__(self, memory: Memory) -> None:
        self.m = memory

    async def add_account(self, account: Account) -> bool:
        taken = any(a.email.lower() == account.email.lower() for a in self.m.accounts.values())
        if not taken:
            self.m.accounts[account.id] = copy.deepcopy(account)
        return not taken

    async def account(self, account_id: str) -> Account | None:
        return copy.deepcopy(self.m.accounts.get(account_id))

    async def account_for_update(self, account_id: str) -> Account | None:
        return await self.account(account_id)

    async def account_by_email(self, email: str) -> Account | None:
        found = [a for a in self.m.accounts.values() if a.email.lower() == email.lower()]
        return copy.deepcopy(found[0]) if found else None

    async def save_profile(self, account_id: str, profile: Profile) -> None:
        self.m.accounts[account_id].profile = copy.deepcopy(profile)

    async def save_password(self, account_id: str, password_hash: str) -> None:
        self.m.accounts[account_id].password_hash = password_hash

    async def mark_email_verified(self, account_id: str, at: datetime) -> None:
        account = self.m.accounts[account_id]
        account.email_verified_at = account.email_verified_at or at

    async def save_standing(self, account: Account) -> None:
        kept = self.m.accounts[account.id]
        kept.role, kept.suspended_at = account.role, account.suspended_at

    async def add_decision(self, decision: Decision) -> None:
        self.m.decisions.append(decision)
        await self.add_events(list(decision.events))

    async def decisions(self, subject_id: str | None, limit: int) -> list[dict]:
        found = [{"id": i, **vars(d)} for i, d in reversed(list(enumerate(self.m.decisions)))
                 if subject_id is None or d.subject_id == subject_id]  # fmt: skip
        return found[:limit]

    async def add_mail_token(self, token: MailToken) -> None:
        self.m.mail_tokens[token.token_hash] = copy.deepcopy(token)

    async def mail_token_for_update(self, token_hash: str) -> MailToken | None:
        return copy.deepcopy(self.m.mail_tokens.get(token_hash))

    async def spend_mail_tokens(self, account_id: str, purpose: str, now: datetime) -> None:
        for token in self.m.mail_tokens.values():
            if token.account_id == account_id and token.purpose == purpose and not token.used_at:
                token.used_at = now

    async def save_mail_token(self, token: MailToken) -> None:
        self.m.mail_tokens[token.token_hash] = copy.deepcopy(token)

    async def add_refresh_token(self, token: RefreshToken) -> None:
        self.m.refresh_tokens[token.token_hash] = copy.deepcopy(token)

    async def refresh_token_for_update(self, token_hash: str) -> RefreshToken | None:
        return copy.deepcopy(self.m.refresh_tokens.get(token_hash))

    async def save_refresh_token(self, token: RefreshToken) -> None:
        self.m.refresh_tokens[token.token_hash] = copy.deepcopy(token)

    async def revoke_family(self, family_id: str, now: datetime) -> None:
        for token in self.m.refresh_tokens.values():
            if token.family_id == family_id and token.revoked_at is None:
                token.revoked_at = now

    async def revoke_sessions(self, account_id: str, now: datetime) -> None:
        for token in self.m.refresh_tokens.values():
            if token.account_id == account_id and token.revoked_at is None:
                token.revoked_at = now

    async def forget_refresh_tokens(self, expired_before: datetime) -> int:
        gone = [h for h, t in self.m.refresh_tokens.items() if t.expires_at < expired_before]
        for token_hash in gone:
            del self.m.refresh_tokens[token_hash]
        return len(gone)

    async def post_for_update(self, post_id: str) -> Post | None:
        return _stored_copy(self.m.posts.get(post_id))

    async def save_post(self, post: Post) -> None:
        self.m.posts[post.id] = _stored_copy(post)
        await self.add_events(post.events)

    async def due_posts(self, now: datetime, limit: int) -> list[Post]:
        due = [
            p for p in self.m.posts.values() if p.status in LIVE_STATUSES and p.expires_at <= now
        ]
        return [_stored_copy(p) for p in sorted(due, key=lambda p: p.expires_at)[:limit]]

    async def add_report(
        self, post_id: str, reporter_id: str, reason: str, address: str, weight: float
    ) -> bool:
        if (post_id, reporter_id) in self.m.reports:
            return False
        self.m.reports[(post_id, reporter_id)] = reason
        self.m.report_addresses.append((post_id, address, weight))
        return True

    async def standing(self, member_id: str) -> Standing:
        account = self.m.accounts[member_id]
        resolved = sum(p.author_id == member_id and p.status.value == "resolved"
                       for p in self.m.posts.values())  # fmt: skip
        return Standing(account.created_at, account.email_verified_at is not None, resolved)

    async def address_reported(self, post_id: str, address: str) -> bool:
        return any(p == post_id and a == address and w > 0 for p, a, w in self.m.report_addresses)

    async def organisation(self, account_id: str) -> Organisation | None:
        return copy.deepcopy(self.m.organisations.get(account_id))

    async def save_organisation(self, organisation: Organisation) -> None:
        self.m.organisations[organisation.account_id] = copy.deepcopy(organisation)

    async def pending_appeal(self, post_id: str) -> dict | None:
        for appeal in self.m.appeals:
            later = [d for d in self.m.decisions if d.subject_id == post_id
                     and d.at > appeal["created_at"]]  # fmt: skip
            if appeal["post_id"] == post_id and not later:
                return appeal
        return None

    async def add_appeal(
        self, post_id: str, decision_id: int | None, author_id: str, text: str
    ) -> bool:
        if any(a["post_id"] == post_id and a["decision_id"] == decision_id for a in self.m.appeals):
            return False
        decided_by = next((d.moderator_id for i, d in enumerate(self.m.decisions)
                           if i == decision_id), None)  # fmt: skip
        self.m.appeals.append({"post_id": post_id, "decision_id": decision_id, "text": text,
                               "created_at": self.m.now(), "decided_by": decided_by})  # fmt: skip
        return True

    async def moderation_queue(self, now: datetime, limit: int) -> dict:
        pending = [vars(o) for o in self.m.organisations.values() if o.status.value == "pending"]
        return {"organisations": pending, "appeals": list(self.m.appeals), "posts": [],
                "conversations": []}  # fmt: skip

    async def add_reply(self, reply: ReplyCreated) -> None:
        self.m.replies[reply.reply_id] = reply

    async def repliers(self, post_id: str) -> set[str]:
        return {r.author_id for r in self.m.replies.values() if r.post_id == post_id}

    async def offer_for_update(self, reply_id: str) -> OfferFacts | None:
        reply = self.m.replies.get(reply_id)
        if reply is None:
            return None
        return OfferFacts(reply_id, reply.post_id, reply.intent, self.m.answers.get(reply_id))

    async def set_offer_answer(self, reply_id: str, answer: OfferAnswer, now: datetime) -> None:
        self.m.answers[reply_id] = answer

    async def add_events(self, events: Sequence[Event]) -> None:
        self.m.outbox.extend(events)

    # conversations ------------------------------------------------------------------
    async def post_facts(self, post_id: str) -> PostFacts | None:
        post = self.m.posts.get(post_id)
        if post is None:
            return None
        return PostFacts(post.id, post.author_id, post.title, post.status.value)

    async def conversation_of(self, post_id: str, member_id: str) -> Conversation | None:
        found = [c for c in self.m.conversations.values()
                 if c.post_id == post_id and c.member_id == member_id]  # fmt: skip
        return _kept(found[0]) if found else None

    async def add_conversation(self, conversation: Conversation) -> bool:
        if await self.conversation_of(conversation.post_id, conversation.member_id):
            return False
        self.m.conversations[conversation.id] = _kept(conversation)
        await self.add_events(conversation.events)
        return True

    async def conversation_for_update(self, conversation_id: str) -> Conversation | None:
        found = self.m.conversations.get(conversation_id)
        return _kept(found) if found else None

    async def save_conversation(
        self, conversation: Conversation, message: MessageSent | None = None
    ) -> None:
        if message is not None:
            self.m.messages[message.message_id] = message
        self.m.conversations[conversation.id] = _kept(conversation)
        await self.add_events(conversation.events)

    async def last_message_id(self, conversation_id: str) -> str | None:
        ids = [m.message_id for m in self.m.messages.values()
               if m.conversation_id == conversation_id]  # fmt: skip
        return max(ids, default=None)

    async def has_message(self, conversation_id: str, message_id: str) -> bool:
        message = self.m.messages.get(message_id)
        return message is not None and message.conversation_id == conversation_id

    async def message_sender(self, conversation_id: str, message_id: str) -> str | None:
        message = self.m.messages.get(message_id)
        ok = message is not None and message.conversation_id == conversation_id
        return message.sender_id if ok else None

    async def blocked_between(self, one: str, other: str) -> bool:
        return (one, other) in self.m.blocks or (other, one) in self.m.blocks

    async def block(self, blocker_id: str, blocked_id: str) -> bool:
        if blocked_id not in self.m.accounts:
            return False
        self.m.blocks.add((blocker_id, blocked_id))
        return True

    async def unblock(self, blocker_id: str, blocked_id: str) -> None:
        self.m.blocks.discard((blocker_id, blocked_id))

    async def add_member_report(self, member_id: str, reporter_id: str, reason: str) -> bool:
        key = (member_id, reporter_id)
        if key in self.m.member_reports:
            return False
        self.m.member_reports[key] = reason
        return True

    async def add_conversation_report(
        self, conversation_id: str, message_id: str | None, reporter_id: str,
        reported_id: str, reason: str,
    ) -> bool:  # fmt: skip
        key = (conversation_id, reporter_id, message_id)
        if key in self.m.conversation_reports:
            return False
        self.m.conversation_reports[key] = reason
        return True


class FakeStore:
    def __init__(self) -> None:
        self.memory = Memory()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[FakeUnitOfWork]:
        working = copy.deepcopy(self.memory)
        yield FakeUnitOfWork(working)
        self.memory = working  # only reached without an error: committed

    async def add_post(self, post: Post) -> Byline:
        self.memory.posts[post.id] = _stored_copy(post)
        self.memory.outbox.extend(post.events)
        organisation = self.memory.organisations.get(post.author_id)
        verified = organisation is not None and organisation.status.value == "verified"
        return Byline(self.memory.accounts[post.author_id].profile.display_name, verified)

    @property
    def events(self) -> list[Event]:
        return self.memory.outbox


class FakeQueries:
    """The read side over the fake store's memory: enough of each view to check what a
    handler answers with."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store

    def new_post(self, post: Post, byline: Byline, viewer: Claims | None) -> View:
        return _view(post, byline.name, viewer)

    async def post(self, post_id: str, viewer: Claims | None) -> View:
        post = self.store.memory.posts.get(post_id)
        if post is None:
            raise NotFound("no such post", field="post_id")
        author = self.store.memory.accounts[post.author_id].profile.display_name
        return _view(post, author, viewer)

    async def reply(self, reply_id: str) -> View:
        reply = self.store.memory.replies[reply_id]
        answer = self.store.memory.answers.get(reply_id)
        return {"id": reply.reply_id, "intent": reply.intent.value, "body": reply.body,
                "answer": answer.value if answer else None}  # fmt: skip

    async def feed(self, query: FeedQuery, viewer: Claims | None) -> View:
        posts = sorted(self.store.memory.posts.values(), key=lambda p: p.id, reverse=True)
        return {"items": [_view(p, "", viewer) for p in posts[: query.limit]]}

    async def thread(
        self, post_id: str, after: str | None, limit: int, viewer: Claims | None = None
    ) -> View:
        replies = [r for r in self.store.memory.replies.values() if r.post_id == post_id]
        return {"items": [{"id": r.reply_id} for r in replies][:limit]}

    async def authored(self, member: Claims, cursor: str | None, limit: int) -> View:
        posts = [p for p in self.store.memory.posts.values() if p.author_id == member.member_id]
        posts.sort(key=lambda p: p.id, reverse=True)
        return {"items": [_view(p, "", member) for p in posts[:limit]]}

    async def profile(self, member_id: str) -> View | None:
        return await _profile_of(self.store, member_id)


class FakeConversationQueries:
    """The read side of conversations over the fake store's memory."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store

    def _mine(self, conversation_id: str, member_id: str) -> Conversation:
        found = self.store.memory.conversations.get(conversation_id)
        if found is None or member_id not in found.members:
            raise NotFound("no such conversation", field="conversation_id")
        return found

    async def conversations(self, member_id: str, cursor: str | None, limit: int) -> View:
        mine = [c for c in self.store.memory.conversations.values() if member_id in c.members]
        mine.sort(key=lambda c: (c.last_message_at, c.id), reverse=True)
        items = [await self.conversation(c.id, member_id) for c in mine[:limit]]
        return {"items": items, "unread": sum(i["unread"] for i in items)}

    async def conversation(self, conversation_id: str, member_id: str) -> View:
        c = self._mine(conversation_id, member_id)
        read = c.read_up_to(member_id) or ""
        messages = [m for m in self.store.memory.messages.values() if m.conversation_id == c.id]
        unread = [m for m in messages if m.sender_id != member_id and m.message_id > read]
        blocks = self.store.memory.blocks
        other = c.other(member_id)
        return {"id": c.id, "post": {"id": c.post_id, "title": c.post_title},
                "other": {"id": other}, "unread": len(unread),
                "seen_up_to": c.read_up_to(other), "meeting_noted": c.meeting_noted,
                "can_write": (member_id, other) not in blocks and (other, member_id) not in blocks,
                "blocked_by_me": (member_id, other) in blocks}  # fmt: skip

    async def messages(
        self, conversation_id: str, member_id: str, before: str | None, limit: int
    ) -> View:
        self._mine(conversation_id, member_id)
        found = [m for m in self.store.memory.messages.values()
                 if m.conversation_id == conversation_id]  # fmt: skip
        found.sort(key=lambda m: m.message_id)
        return {"items": [await self.message(m.message_id) for m in found[-limit:]]}

    async def message(self, message_id: str) -> View:
        m = self.store.memory.messages[message_id]
        return {"id": m.message_id, "sender": {"id": m.sender_id}, "body": m.body}

    async def blocked(self, member_id: str) -> list[View]:
        return [{"id": blocked} for blocker, blocked in self.store.memory.blocks
                if blocker == member_id]  # fmt: skip


def _kept(conversation: Conversation) -> Conversation:
    """As a database keeps it: the state, not the events recorded on the way."""
    kept = copy.deepcopy(conversation)
    kept.events = []
    return kept


async def _profile_of(store: FakeStore, member_id: str) -> View | None:
    account = store.memory.accounts.get(member_id)
    if account is None:
        return None
    posts = list(store.memory.posts.values())
    resolved = [p for p in posts if p.author_id == member_id and p.status.value == "resolved"]
    return {
        "id": account.id, "display_name": account.profile.display_name,
        "member_since": account.created_at.date().isoformat(),
        "languages": list(account.profile.languages), "bio": account.profile.bio,
        "requests_resolved": sum(p.kind.value == "request" for p in resolved),
        "offers_resolved": sum(p.kind.value == "offer" for p in resolved),
        "helped": sum(member_id in p.helped_by for p in posts),
    }  # fmt: skip


def _stored_copy(post: Post | None) -> Post | None:
    """The post as a database would hand it back: without the events of earlier work."""
    if post is None:
        return None
    stored = copy.deepcopy(post)
    stored.events = []
    return stored


def _view(post: Post, author_name: str, viewer: Claims | None) -> View:
    view = {"id": post.id, "author": author_name, "status": post.status.value,
            "title": post.title, "location": post.location.model_dump(),
            "helped_by": list(post.helped_by), "photos": list(post.photos)}  # fmt: skip
    if viewer is not None and viewer.member_id == post.author_id:
        view["exact_location"] = post.point.model_dump()
    return view


class FakeImageProcessor:
    """Takes any bytes starting with b"img" as an image; its "re-encoding" drops the rest."""

    def process(self, data: bytes) -> Processed:
        if not data.startswith(b"img"):
            raise Invalid("the file is not an image that can be read", field="file",
                          code="not_an_image")  # fmt: skip
        return Processed(display=b"display:" + data, thumb=b"thumb:" + data, width=1, height=1)


class FakePhotoStore:
    def __init__(self) -> None:
        self.files: dict[tuple[str, bool], bytes] = {}

    async def put(self, photo: Processed) -> None:
        self.files[(photo.photo_id, False)] = photo.display
        self.files[(photo.photo_id, True)] = photo.thumb

    async def get(self, photo_id: str, thumb: bool = False) -> bytes | None:
        return self.files.get((photo_id, thumb))


class FakeMailer:
    """Keeps each message; ``down`` makes it refuse, as an unreachable server would."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.down = False

    async def send(self, to: str, subject: str, text: str) -> None:
        if self.down:
            raise ConnectionError("the mail server is down")
        self.sent.append((to, subject, text))


class FakeRevocations:
    def __init__(self) -> None:
        self.revoked: set[str] = set()

    async def revoke(self, member_id: str) -> None:
        self.revoked.add(member_id)

    async def restore(self, member_id: str) -> None:
        self.revoked.discard(member_id)
