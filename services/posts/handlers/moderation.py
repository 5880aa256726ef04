"""Moderators' decisions: roles, suspensions, reported content, appeals and
organisations; each in the audit log, each by a moderator as the database knows them
now (not as a token up to 15 minutes old says), and never about what is their own."""

from __future__ import annotations

from dataclasses import dataclass

from services.posts.domain import moderation as M
from services.posts.domain.accounts import Account
from services.posts.domain.organisations import Organisation
from services.posts.domain.posts import PostStatus
from services.posts.ports import Clock, Revocations, Store, UnitOfWork, View
from shared.contract.errors import Conflict, Invalid, NotFound
from shared.contract.identity import Claims, Role

LOG_PAGE = 50
QUEUE_PAGE = 50


@dataclass
class ModerationHandlers:
    store: Store
    revocations: Revocations
    clock: Clock

    async def grant_role(self, moderator: Claims, member_id: str, role: Role, reason: str) -> None:
        """The new role shows at the member's next session renewal (or log-in)."""
        async with self.store.transaction() as uow:
            await _acting(uow, moderator)
            account = await _account(uow, member_id)
            decision = M.grant_role(moderator.member_id, account, role, reason, self.clock())
            await uow.save_standing(account)
            await uow.add_decision(decision)

    async def suspend(self, moderator: Claims, member_id: str, reason: str) -> None:
        """No more sessions; every token refused and every socket closed at once."""
        try:
            async with self.store.transaction() as uow:
                await _acting(uow, moderator)
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
        async with self.store.transaction() as uow:
            await _acting(uow, moderator)
            account = await _account(uow, member_id)
            decision = M.reinstate(moderator.member_id, account, reason, self.clock())
            await uow.save_standing(account)
            await uow.add_decision(decision)
        await self.revocations.restore(member_id)

    # reported content -----------------------------------------------------------------
    async def queue(self, moderator: Claims) -> View:
        async with self.store.transaction() as uow:
            await _acting(uow, moderator)
            return await uow.moderation_queue(self.clock(), QUEUE_PAGE)

    async def decide_post(
        self, moderator: Claims, post_id: str, action: M.Action, reason: str
    ) -> None:
        """Dismiss the reports (they are spent), remove the post, or restore it; an
        appeal of one's own decision goes to another moderator."""
        if action not in M.POST_ACTIONS:
            raise Invalid("dismiss, remove or restore", field="action")
        now = self.clock()
        async with self.store.transaction() as uow:
            await _acting(uow, moderator)
            post = await uow.post_for_update(post_id)
            if post is None:
                raise NotFound("no such post", field="post_id")
            M.require_not_own(moderator.member_id, post.author_id)
            appeal = await uow.pending_appeal(post_id)
            M.require_other_moderator(moderator.member_id, appeal["decided_by"] if appeal else None)
            if action is M.Action.DISMISS:
                post.dismiss_reports()
            elif action is M.Action.REMOVE:
                post.remove(Role.MODERATOR, now)
            else:
                author = await uow.account(post.author_id)
                post.restore(Role.MODERATOR, now, author.profile.display_name if author else "")
            await uow.save_post(post)
            await uow.add_decision(M.Decision(moderator.member_id, action, post_id, reason, now))

    async def dismiss_conversation(
        self, moderator: Claims, conversation_id: str, reason: str
    ) -> None:
        """The conversation's reports are looked at (a member is suspended apart)."""
        async with self.store.transaction() as uow:
            await _acting(uow, moderator)
            conversation = await uow.conversation_for_update(conversation_id)
            if conversation is None:
                raise NotFound("no such conversation", field="conversation_id")
            if moderator.member_id in conversation.members:
                M.require_not_own(moderator.member_id, moderator.member_id)
            decision = M.Decision(moderator.member_id, M.Action.DISMISS, conversation_id,
                                  reason, self.clock())  # fmt: skip
            await uow.add_decision(decision)

    async def dismiss_member(self, moderator: Claims, member_id: str, reason: str) -> None:
        """The member's reports were looked at; they leave the queue."""
        async with self.store.transaction() as uow:
            await _acting(uow, moderator)
            account = await _account(uow, member_id)
            M.require_not_own(moderator.member_id, account.id)
            decision = M.Decision(moderator.member_id, M.Action.DISMISS, account.id, reason,
                                  self.clock())  # fmt: skip
            await uow.add_decision(decision)

    async def appeal(self, member: Claims, post_id: str, text: str) -> None:
        """The author of a removed post asks once, per decision, to have it back."""
        async with self.store.transaction() as uow:
            post = await uow.post_for_update(post_id)
            if post is None or post.author_id != member.member_id:
                raise NotFound("no such post of yours", field="post_id")
            if post.status is not PostStatus.REMOVED:
                raise Conflict("only a removed post can be appealed", field="post_id",
                               code="not_removed")  # fmt: skip
            last = await uow.decisions(post_id, 1)
            decision_id = last[0]["id"] if last else None
            if not await uow.add_appeal(post_id, decision_id, member.member_id, text):
                raise Conflict("you already appealed this decision", field="post_id",
                               code="already_appealed")  # fmt: skip

    # organisations --------------------------------------------------------------------
    async def apply(self, member: Claims, application: Organisation) -> View:
        """An account applies as an organisation; a moderator verifies it."""
        now = self.clock()
        async with self.store.transaction() as uow:
            existing = await uow.organisation(member.member_id)
            if existing is None:
                application.account_id, application.applied_at = member.member_id, now
                existing = application
            else:
                existing.reapply(application, now)
            await uow.save_organisation(existing)
        return vars(existing)

    async def my_organisation(self, member: Claims) -> View | None:
        """The member's application, or None (she has not applied)."""
        async with self.store.transaction() as uow:
            found = await uow.organisation(member.member_id)
        return vars(found) if found else None

    async def decide_organisation(
        self, moderator: Claims, account_id: str, verified: bool, reason: str
    ) -> None:
        """Verified: the badge, and the partner role (its event streams); a moderator
        keeps their role."""
        M.require_not_own(moderator.member_id, account_id)
        now = self.clock()
        async with self.store.transaction() as uow:
            await _acting(uow, moderator)
            organisation = await uow.organisation(account_id)
            if organisation is None:
                raise NotFound("no such application", field="account_id")
            account = await _account(uow, account_id)
            organisation.decide(verified, now)
            await uow.save_organisation(organisation)
            if verified and account.role is Role.MEMBER:
                account.role = Role.PARTNER
                await uow.save_standing(account)
            action = M.Action.VERIFY if verified else M.Action.REFUSE
            await uow.add_decision(M.Decision(moderator.member_id, action, account_id, reason,
                                              now, organisation.name))  # fmt: skip

    async def log(self, moderator: Claims, subject_id: str | None) -> list[View]:
        """The audit log, newest first: every decision, by whom, why."""
        async with self.store.transaction() as uow:
            await _acting(uow, moderator)
            return await uow.decisions(subject_id, LOG_PAGE)


async def _acting(uow: UnitOfWork, moderator: Claims) -> None:
    M.require_acting_moderator(await uow.account(moderator.member_id))


async def _account(uow: UnitOfWork, member_id: str) -> Account:
    account = await uow.account_for_update(member_id)
    if account is None:
        raise NotFound("no such member", field="member_id")
    return account
