"""A member's commands: read the inbox, mark items read, set preferences."""

from __future__ import annotations

from dataclasses import dataclass

from services.notifications.domain.matches import PostMatch, as_seen_by
from services.notifications.domain.notices import Stored
from services.notifications.domain.preferences import Preferences
from services.notifications.ports import Clock, Inbox
from shared.contract.identity import Claims


@dataclass(frozen=True)
class InboxItems:
    items: list[Stored]
    next_cursor: str | None
    unread: int


@dataclass
class InboxHandlers:
    inbox: Inbox
    clock: Clock

    async def page(
        self, member: Claims, before: str | None, limit: int, unread_only: bool
    ) -> InboxItems:
        items = await self.inbox.inbox(member.member_id, before, limit, unread_only)
        return InboxItems(
            items=items,
            next_cursor=items[-1].id if len(items) == limit else None,
            unread=await self.inbox.unread_count(member.member_id),
        )

    async def mark_read(self, member: Claims, ids: list[str] | None) -> int:
        """These items (None: every item) read; how many changed."""
        return await self.inbox.mark_read(member.member_id, ids, self.clock())

    async def matches(self, member: Claims, post_id: str) -> list[PostMatch]:
        """The post's matches, best first, for its author; [] for anyone else."""
        found = await self.inbox.matches(post_id)
        others = await self.inbox.posts(
            m.offer_id if m.request_id == post_id else m.request_id for m in found
        )
        seen = []
        for match in found:
            other_id = match.offer_id if match.request_id == post_id else match.request_id
            mine = as_seen_by(match, post_id, member.member_id, others.get(other_id))
            if mine is not None:
                seen.append(mine)
        return seen

    async def preferences(self, member: Claims) -> Preferences:
        return (await self.inbox.preferences([member.member_id]))[member.member_id]

    async def set_preferences(self, member: Claims, prefs: Preferences) -> Preferences:
        await self.inbox.save_preferences(member.member_id, prefs)
        return prefs
