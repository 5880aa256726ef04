"""What moderators may do to members, and what each decision records. Pure.

Every decision has a reason and goes to the audit log; a suspension ends the member's
sessions, and its event tells the other services (their tokens stop working at once,
their sockets close).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.posts.domain.accounts import Account
from shared.contract.errors import Conflict, Forbidden, Invalid
from shared.contract.events import Event, MemberReinstated, MemberSuspended
from shared.contract.identity import Role


class Action(StrEnum):
    GRANT_ROLE = "grant_role"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"


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


def require_moderator(role: Role) -> None:
    if role is not Role.MODERATOR:
        raise Forbidden("only a moderator may do this", field="role")


def grant_role(
    moderator_id: str, account: Account, role: Role, reason: str, now: datetime
) -> Decision:
    if account.id == moderator_id and role is not Role.MODERATOR:
        raise Invalid("another moderator must withdraw your role", field="member_id",
                      code="own_role")  # fmt: skip
    if account.role is role:
        raise Conflict(f"already {role.value}", field="role", code="unchanged")
    account.role = role
    return Decision(moderator_id, Action.GRANT_ROLE, account.id, reason, now, role.value)


def suspend(moderator_id: str, account: Account, reason: str, now: datetime) -> Decision:
    if account.id == moderator_id:
        raise Invalid("you cannot suspend yourself", field="member_id", code="own_account")
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
