"""What moderators may do to members, and what each decision records. Pure.

Every decision has a reason and goes to the audit log; a suspension ends the member's
sessions, and its event tells the other services (their tokens stop working at once,
their sockets close).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.posts.domain.accounts import Account
from shared.contract.errors import Conflict, Forbidden, Invalid
from shared.contract.events import Event, MemberReinstated, MemberSuspended
from shared.contract.identity import Role


class Action(StrEnum):
    GRANT_ROLE = "grant_role"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    # About reported content (a post, a conversation): it leaves the queue.
    DISMISS = "dismiss"  # nothing wrong: the reports are spent
    REMOVE = "remove"
    RESTORE = "restore"
    # About an organisation's application.
    VERIFY = "verify"
    REFUSE = "refuse"


POST_ACTIONS = (Action.DISMISS, Action.REMOVE, Action.RESTORE)


def require_other_moderator(moderator_id: str, appealed_by: str | None) -> None:
    """An appeal is decided by another moderator than the one who decided first."""
    if appealed_by is not None and appealed_by == moderator_id:
        raise Forbidden("another moderator decides the appeal of your decision",
                        field="post_id", code="appeal_other_moderator")  # fmt: skip


@dataclass(frozen=True)
class Decision:
    """One line of the audit log, and the events it publishes."""

    moderator_id: str
    action: Action
    subject_id: str
    reason: str
    at: datetime
    detail: str = ""
    events: tuple[Event, ...] = ()


def require_acting_moderator(account: Account | None) -> None:
    """The moderator as the database knows them now, not as their token (up to 15
    minutes old) says: a withdrawn or suspended moderator decides nothing more."""
    if account is None or account.role is not Role.MODERATOR or account.suspended_at:
        raise Forbidden("only a moderator may do this", field="role")


def require_not_own(moderator_id: str, owner_id: str) -> None:
    """Nobody decides about their own account, post or organisation."""
    if moderator_id == owner_id:
        raise Invalid("another moderator decides about what is yours", field="member_id",
                      code="own_account")  # fmt: skip


def grant_role(
    moderator_id: str, account: Account, role: Role, reason: str, now: datetime
) -> Decision:
    if account.id == moderator_id:
        raise Invalid("another moderator decides about your role", field="member_id",
                      code="own_role")  # fmt: skip
    if account.role is role:
        raise Conflict(f"already {role.value}", field="role", code="unchanged")
    account.role = role
    return Decision(moderator_id, Action.GRANT_ROLE, account.id, reason, now, role.value)


def suspend(moderator_id: str, account: Account, reason: str, now: datetime) -> Decision:
    require_not_own(moderator_id, account.id)
    if account.suspended_at is not None:
        raise Conflict("already suspended", field="member_id", code="unchanged")
    account.suspended_at = now
    event = MemberSuspended(member_id=account.id, suspended_at=now)
    return Decision(moderator_id, Action.SUSPEND, account.id, reason, now, events=(event,))


def reinstate(moderator_id: str, account: Account, reason: str, now: datetime) -> Decision:
    if account.suspended_at is None:
        raise Conflict("not suspended", field="member_id", code="unchanged")
    account.suspended_at = None
    event = MemberReinstated(member_id=account.id, reinstated_at=now)
    return Decision(moderator_id, Action.REINSTATE, account.id, reason, now, events=(event,))


@dataclass(frozen=True)
class Standing:
    """What a reporter's report weighs on: how long they have been a member, whether
    their address is confirmed, and whether anything of theirs ended resolved."""

    member_since: datetime
    email_verified: bool
    resolved_posts: int


SETTLED_AFTER = timedelta(days=7)
# A member of full standing weighs 1 (the hide threshold counts such reports); a new,
# unconfirmed account with nothing resolved weighs a quarter: hiding a post with fresh
# accounts takes four times as many of them.
BASE_WEIGHT, STEP_WEIGHT = 0.25, 0.25


def report_weight(standing: Standing, now: datetime, address_counted: bool) -> float:
    """A second report from an address already counted for this post weighs nothing."""
    if address_counted:
        return 0.0
    weight = BASE_WEIGHT
    weight += STEP_WEIGHT if standing.email_verified else 0
    weight += STEP_WEIGHT if now - standing.member_since >= SETTLED_AFTER else 0
    weight += STEP_WEIGHT if standing.resolved_posts > 0 else 0
    return weight
