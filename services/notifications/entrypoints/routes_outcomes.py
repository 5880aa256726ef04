"""What was resolved, for a partner (a funder's figures): each day's counts per category,
kind and area, no cell under five (ADR 0022). The same days reach the partner's
endpoints as `org.entraide.outcomes.daily.v1`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from services.notifications.entrypoints.deps import WebhooksDep
from shared.contract.partner import OutcomesOfTheDay
from shared.runtime.schemas import ErrorBody
from shared.runtime.web_auth import Partner

router = APIRouter(
    prefix="/v1/outcomes",
    tags=["outcomes"],
    responses={
        401: {"model": ErrorBody, "description": "No or an invalid access token"},
        403: {"model": ErrorBody, "description": "Not a partner"},
    },
)


@router.get("", summary="Resolved requests and offers, per day, category, kind and area")
async def outcomes(
    partner: Partner,
    handlers: WebhooksDep,
    first: Annotated[date, Query(alias="from", description="The first day (UTC)")],
    last: Annotated[date, Query(alias="to", description="The last day, at most 92 days on")],
) -> list[OutcomesOfTheDay]:
    return await handlers.outcomes_between(first, last)
