"""The member's inbox and preferences."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.notifications.domain.matches import PostMatch
from services.notifications.domain.notices import Stored
from services.notifications.domain.preferences import Preferences
from services.notifications.entrypoints.deps import InboxDep
from services.notifications.entrypoints.schemas import (
    InboxPage,
    MarkedRead,
    MarkRead,
    MatchOut,
    NotificationOut,
    OtherPost,
    PreferencesIn,
    PreferencesOut,
)
from shared.contract.values import Id
from shared.runtime.schemas import ErrorBody
from shared.runtime.web_auth import Member

router = APIRouter(
    prefix="/v1",
    tags=["inbox"],
    responses={401: {"model": ErrorBody, "description": "No or an invalid access token"}},
)


def _out(item: Stored) -> NotificationOut:
    shown = {name: getattr(item, name) for name in NotificationOut.model_fields if name != "read"}
    return NotificationOut(**shown, read=item.read_at is not None)


@router.get("/inbox", summary="The member's notifications, newest first")
async def inbox(
    member: Member,
    handlers: InboxDep,
    before: Annotated[Id | None, Query(description="The next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
    unread_only: bool = False,
) -> InboxPage:
    page = await handlers.page(member, before, limit, unread_only)
    return InboxPage(
        items=[_out(i) for i in page.items], next_cursor=page.next_cursor, unread=page.unread
    )


@router.get(
    "/posts/{post_id}/matches",
    summary="A post's matches with their reasons, best first, for its author only",
    description="Anyone else gets an empty list: a match is the two authors' business.",
)
async def post_matches(post_id: Id, member: Member, handlers: InboxDep) -> list[MatchOut]:
    return [_match_out(m) for m in await handlers.matches(member, post_id)]


def _match_out(m: PostMatch) -> MatchOut:
    other = None
    if m.other is not None:
        o = m.other
        other = OtherPost(
            post_id=o.post_id, title=o.title, kind=o.kind, category=o.category, urgent=o.urgent
        )
    return MatchOut(
        match_id=m.match_id,
        post_id=m.post_id,
        other_post_id=m.other_post_id,
        score=m.score,
        reasons=list(m.reasons),
        found_at=m.found_at,
        other=other,
    )


@router.post("/inbox/read", summary="Mark notifications read")
async def mark_read(body: MarkRead, member: Member, handlers: InboxDep) -> MarkedRead:
    return MarkedRead(marked=await handlers.mark_read(member, body.ids))


def _prefs_out(prefs: Preferences) -> PreferencesOut:
    return PreferencesOut(
        categories=sorted(prefs.categories),
        quiet_start=prefs.quiet_start,
        quiet_end=prefs.quiet_end,
        timezone=prefs.timezone,
        daily_cap=prefs.daily_cap,
    )


@router.get("/preferences", summary="The member's notification preferences")
async def get_preferences(member: Member, handlers: InboxDep) -> PreferencesOut:
    return _prefs_out(await handlers.preferences(member))


@router.put(
    "/preferences",
    summary="Replace the member's preferences",
    description="Quiet hours and the daily cap hold back ordinary notifications into a "
    "digest; urgent alerts are never held.",
)
async def put_preferences(
    body: PreferencesIn, member: Member, handlers: InboxDep
) -> PreferencesOut:
    prefs = Preferences(
        categories=frozenset(body.categories),
        quiet_start=body.quiet_start,
        quiet_end=body.quiet_end,
        timezone=body.timezone,
        daily_cap=body.daily_cap,
    )
    return _prefs_out(await handlers.set_preferences(member, prefs))
