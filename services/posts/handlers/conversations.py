"""Private conversations: contact a post's author, write, read, report, block. Each
write runs in one transaction that also writes its events (conversations.v1)."""

from __future__ import annotations

from dataclasses import dataclass

from ulid import ULID

from services.posts.domain.conversations import Conversation
from services.posts.ports import Clock, ConversationQueries, Limit, Limiter, Store, UnitOfWork, View
from shared.contract.errors import Conflict, Forbidden, Invalid, NotFound
from shared.contract.identity import Claims

HOUR_S = 3600


@dataclass
class ConversationHandlers:
    store: Store
    queries: ConversationQueries
    limiter: Limiter
    clock: Clock
    messages_per_hour: int
    reports_per_hour: int

    async def contact(self, member: Claims, post_id: str) -> tuple[View, bool]:
        """The member's conversation with the post's author: started now (True), or the
        one they already have (False)."""
        async with self.store.transaction() as uow:
            existing = await uow.conversation_of(post_id, member.member_id)
            created = False
            if existing is None:
                post = await uow.post_facts(post_id)
                if post is None:
                    raise NotFound("no such post", field="post_id")
                await self._require_unblocked(uow, member.member_id, post.author_id)
                author = await uow.account(post.author_id)
                assert author is not None  # a post's author is an account (foreign key)
                names = (author.profile.display_name, member.display_name)
                conversation = Conversation.start(
                    str(ULID()), post, member.member_id, names, self.clock()
                )
                # A second "Contact" racing this one: the unique pair wins once.
                created = await uow.add_conversation(conversation)
                existing = conversation if created else None
        if existing is None:  # lost that race: the other one is read next time
            return await self.contact(member, post_id)
        view = await self.queries.conversation(existing.id, member.member_id)
        return view, created

    async def send(self, member: Claims, conversation_id: str, body: str) -> View:
        limit = Limit("messages", self.messages_per_hour, HOUR_S)
        await self.limiter.hit(limit, member.member_id)
        async with self.store.transaction() as uow:
            conversation = await _conversation(uow, conversation_id, member.member_id)
            other = conversation.other(member.member_id)
            blocked = await uow.blocked_between(member.member_id, other)
            sent = conversation.send(
                str(ULID()), member.member_id, member.display_name, body, self.clock(),
                blocked=blocked,
            )  # fmt: skip
            await uow.save_conversation(conversation, sent)
        return await self.queries.message(sent.message_id)

    async def read(self, member: Claims, conversation_id: str, up_to: str | None) -> None:
        """Read up to this message (None: the latest); the other member is told."""
        async with self.store.transaction() as uow:
            conversation = await _conversation(uow, conversation_id, member.member_id)
            if up_to is None:
                up_to = await uow.last_message_id(conversation_id)
                if up_to is None:
                    return  # nothing to read yet
            elif not await uow.has_message(conversation_id, up_to):
                raise Invalid("no such message in this conversation", field="up_to")
            if conversation.read(member.member_id, up_to, self.clock()):
                await uow.save_conversation(conversation)

    async def report(
        self, member: Claims, conversation_id: str, message_id: str | None, reason: str
    ) -> None:
        await self.limiter.hit(Limit("reports", self.reports_per_hour, HOUR_S), member.member_id)
        async with self.store.transaction() as uow:
            conversation = await _conversation(uow, conversation_id, member.member_id)
            reported = conversation.other(member.member_id)
            # Only the other member's message: one's own, reported, would be shown to the
            # moderators as theirs.
            if message_id is not None and (
                await uow.message_sender(conversation_id, message_id) != reported
            ):
                raise Invalid("no such message of theirs in this conversation",
                              field="message_id")  # fmt: skip
            if not await uow.add_conversation_report(
                conversation_id, message_id, member.member_id, reported, reason
            ):
                raise Conflict("you already reported this", field="message_id",
                               code="already_reported")  # fmt: skip

    async def report_member(self, member: Claims, member_id: str, reason: str) -> None:
        """Report a member (their behaviour, their profile) to the moderators."""
        if member_id == member.member_id:
            raise Invalid("you cannot report yourself", field="member_id")
        await self.limiter.hit(Limit("reports", self.reports_per_hour, HOUR_S), member.member_id)
        async with self.store.transaction() as uow:
            if await uow.account(member_id) is None:
                raise NotFound("no such member", field="member_id")
            if not await uow.add_member_report(member_id, member.member_id, reason):
                raise Conflict("you already reported this member", field="member_id",
                               code="already_reported")  # fmt: skip

    async def block(self, member: Claims, other_id: str) -> None:
        if other_id == member.member_id:
            raise Invalid("you cannot block yourself", field="member_id", code="self_block")
        async with self.store.transaction() as uow:
            if not await uow.block(member.member_id, other_id):
                raise NotFound("no such member", field="member_id")

    async def unblock(self, member: Claims, other_id: str) -> None:
        async with self.store.transaction() as uow:
            await uow.unblock(member.member_id, other_id)

    # reads --------------------------------------------------------------------
    async def conversations(self, member: Claims, cursor: str | None, limit: int) -> View:
        return await self.queries.conversations(member.member_id, cursor, limit)

    async def conversation(self, member: Claims, conversation_id: str) -> View:
        return await self.queries.conversation(conversation_id, member.member_id)

    async def messages(
        self, member: Claims, conversation_id: str, before: str | None, limit: int
    ) -> View:
        return await self.queries.messages(conversation_id, member.member_id, before, limit)

    async def blocked(self, member: Claims) -> list[View]:
        return await self.queries.blocked(member.member_id)

    @staticmethod
    async def _require_unblocked(uow: UnitOfWork, one: str, other: str) -> None:
        if await uow.blocked_between(one, other):
            raise Forbidden("one of you blocked the other", field="post_id", code="blocked")


async def _conversation(uow: UnitOfWork, conversation_id: str, member_id: str) -> Conversation:
    conversation = await uow.conversation_for_update(conversation_id)
    if conversation is None:
        raise NotFound("no such conversation", field="conversation_id")
    conversation.require_member(member_id)
    return conversation
