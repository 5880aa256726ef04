"""Moderators' decisions about members (roles, suspensions) and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from services.posts.domain.moderation import Action
from services.posts.domain.organisations import Organisation
from services.posts.entrypoints.deps import Member, ModerationDep, PathId
from services.posts.entrypoints.schemas import PRINTABLE, OrganisationApply, OrganisationPrivate
from shared.contract.identity import Role
from shared.runtime.schemas import ErrorBody, Strict

router = APIRouter(tags=["moderation"])


Moderation = ModerationDep
Reason = Annotated[str, Field(min_length=3, max_length=500, pattern=PRINTABLE)]
DECIDED = {
    401: {"model": ErrorBody, "description": "No valid access token"},
    403: {"model": ErrorBody, "description": "Moderators only"},
    404: {"model": ErrorBody, "description": "No such member"},
    409: {"model": ErrorBody, "description": "Nothing to change (`unchanged`)"},
}


class RoleChange(Strict):
    role: Role
    reason: Reason


class WithReason(Strict):
    reason: Reason


class Decision(BaseModel):
    id: int
    moderator_id: str
    action: str
    subject_id: str
    detail: str
    reason: str
    at: datetime


@router.put("/members/{member_id}/role", status_code=204, responses=DECIDED)
async def grant_role(
    member_id: PathId, body: RoleChange, member: Member, moderation: Moderation
) -> Response:
    """Grant a role (member, moderator, partner); it shows at the member's next renewal."""
    await moderation.grant_role(member, member_id, body.role, body.reason)
    return Response(status_code=204)


@router.post("/members/{member_id}/suspension", status_code=204, responses=DECIDED)
async def suspend(
    member_id: PathId, body: WithReason, member: Member, moderation: Moderation
) -> Response:
    """Suspend a member: their sessions end, every token of theirs is refused (401
    `suspended`) and their sockets close (4003) at once."""
    await moderation.suspend(member, member_id, body.reason)
    return Response(status_code=204)


@router.post("/members/{member_id}/reinstatement", status_code=204, responses=DECIDED)
async def reinstate(
    member_id: PathId, body: WithReason, member: Member, moderation: Moderation
) -> Response:
    """Lift a suspension (they log in again)."""
    await moderation.reinstate(member, member_id, body.reason)
    return Response(status_code=204)


class PostDecision(Strict):
    action: Annotated[str, Field(pattern=r"^(dismiss|remove|restore)$")]
    reason: Reason


class AppealRequest(Strict):
    text: Annotated[str, Field(min_length=3, max_length=1000, pattern=PRINTABLE)]


@router.get("/moderation/queue", responses=DECIDED)
async def queue(member: Member, moderation: Moderation) -> dict:
    """What waits for a moderator: appeals first, then reported posts (an urgent one
    whose alert lives first, then by the reports' weight), then reported conversations,
    each with its reports and context."""
    return await moderation.queue(member)


@router.post("/moderation/posts/{post_id}/decision", status_code=204, responses=DECIDED)
async def decide_post(
    post_id: PathId, body: PostDecision, member: Member, moderation: Moderation
) -> Response:
    """Dismiss the reports, remove the post, or restore it (an appeal of a moderator's
    decision is decided by another moderator: 403 `appeal_other_moderator`)."""
    await moderation.decide_post(member, post_id, Action(body.action), body.reason)
    return Response(status_code=204)


@router.post(
    "/moderation/conversations/{conversation_id}/decision", status_code=204, responses=DECIDED
)
async def dismiss_conversation(
    conversation_id: PathId, body: WithReason, member: Member, moderation: Moderation
) -> Response:
    """The conversation's reports were looked at (suspend its member apart)."""
    await moderation.dismiss_conversation(member, conversation_id, body.reason)
    return Response(status_code=204)


@router.post("/moderation/members/{member_id}/decision", status_code=204, responses=DECIDED)
async def dismiss_member(
    member_id: PathId, body: WithReason, member: Member, moderation: Moderation
) -> Response:
    """The member's reports were looked at and need nothing more (a suspension, with its
    own reason, also takes them off the queue)."""
    await moderation.dismiss_member(member, member_id, body.reason)
    return Response(status_code=204)


@router.post("/posts/{post_id}/appeal", status_code=204, responses=DECIDED)
async def appeal(
    post_id: PathId, body: AppealRequest, member: Member, moderation: Moderation
) -> Response:
    """The author of a removed post asks to have it back, once per decision."""
    await moderation.appeal(member, post_id, body.text)
    return Response(status_code=204)


class OrganisationDecision(Strict):
    action: Annotated[str, Field(pattern=r"^(verify|refuse)$")]
    reason: Reason


@router.post(
    "/me/organisation", response_model=OrganisationPrivate, status_code=201,
    responses={**DECIDED, 409: {"model": ErrorBody, "description": "Applied already"}},
)  # fmt: skip
async def apply(body: OrganisationApply, member: Member, moderation: Moderation) -> dict:
    """Apply as an organisation (association, public service, employer): a moderator
    checks the registration number and verifies it; then a badge, and partner streams."""
    application = Organisation(account_id="", **body.model_dump())
    return await moderation.apply(member, application)


@router.get("/me/organisation", response_model=OrganisationPrivate | None, responses=DECIDED)
async def my_organisation(member: Member, moderation: Moderation) -> dict | None:
    """The member's application as an organisation; null if she has not applied."""
    return await moderation.my_organisation(member)


@router.post("/moderation/organisations/{account_id}/decision", status_code=204, responses=DECIDED)
async def decide_organisation(
    account_id: PathId, body: OrganisationDecision, member: Member, moderation: Moderation
) -> Response:
    """Verify an organisation (its badge, and the partner role) or refuse it."""
    await moderation.decide_organisation(member, account_id, body.action == "verify", body.reason)
    return Response(status_code=204)


@router.get("/moderation/log", response_model=list[Decision], responses=DECIDED)
async def audit_log(
    member: Member,
    moderation: Moderation,
    subject_id: Annotated[str | None, Query(max_length=64, pattern=r"^[0-9A-Za-z_-]+$")] = None,
) -> list[dict]:
    """Every decision, newest first: who decided what about whom, and why."""
    return await moderation.log(member, subject_id)
