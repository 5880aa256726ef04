"""Moderators' decisions about members: roles, suspensions; each in the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from services.posts.domain import moderation as M
from services.posts.ports import Clock, Revocations, Store, UnitOfWork, View
from shared.contract.errors import Conflict, NotFound
from shared.contract.identity import Claims, Role

LOG_PAGE = 50


@dataclass
class ModerationHandlers:
    store: Store
    revocations: Revocations
    clock: Clock

    async def grant_role(self, moderator: Claims, member_id: str, role: Role, reason: str) -> None:
        """The new role shows at the member's next session renewal (or log-in)."""
        M.require_moderator(moderator.role)
        async with self.store.transaction() as uow:
            account = await _account(uow, member_id)
            decision = M.grant_role(moderator.member_id, account, role, reason, self.clock())
            await uow.save_standing(account)
            await uow.add_decision(decision)

    async def suspend(self, moderator: Claims, member_id: str, reason: str) -> None:
        """No more sessions; every token refused and every socket closed at once."""
        M.require_moderator(moderator.role)
        try:
            async with self.store.transaction() as uow:
                account = await _account(uow, member_id)
                decision = M.suspend(moderator.member_id, account, reason, self.clock())
                await uow.save_standing(account)
                await uow.revoke_sessions(account.id, decision.at)
                await uow.add_decision(decision)
        except Conflict:
            # Suspended already: the set is made true again (a failure after the commit,
            # the first time, would otherwise leave the tokens working).
            await self.revocations.revoke(member_id)
            raise
        await self.revocations.revoke(member_id)

    async def reinstate(self, moderator: Claims, member_id: str, reason: str) -> None:
        M.require_moderator(moderator.role)
        async with self.store.transaction() as uow:
            account = await _account(uow, member_id)
            decision = M.reinstate(moderator.member_id, account, reason, self.clock())
            await uow.save_standing(account)
            await uow.add_decision(decision)
        await self.revocations.restore(member_id)

    async def log(self, moderator: Claims, subject_id: str | None) -> list[View]:
        """The audit log, newest first: every decision, by whom, why."""
        M.require_moderator(moderator.role)
        async with self.store.transaction() as uow:
            return await uow.decisions(subject_id, LOG_PAGE)


async def _account(uow: UnitOfWork, member_id: str):
    account = await uow.account(member_id)
    if account is None:
        raise NotFound("no such member", field="member_id")
    return account
