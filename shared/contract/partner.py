"""What a partner's webhooks carry: each event as partners may see it.

Post events go as they are (they are public). The others are projections: a match, a
reply and an answer without any member's id or words, an urgent alert's lifecycle
without its exact point (ADR 0002), and the daily outcomes with no cell under
``K_ANONYMITY`` (ADR 0022). A projection keeps its event's CloudEvents type.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar

from pydantic import Field

from shared.contract import events as E
from shared.contract.values import (
    AlertEndReason,
    Category,
    Frozen,
    Id,
    Kind,
    MatchReason,
    OfferAnswer,
    RadiusM,
    ReplyIntent,
)

# A published cell counts at least this many posts: fewer could point at a person.
K_ANONYMITY = 5
# Outcomes are counted by square areas this wide, named by their centre.
OUTCOME_AREA_M = 25_000
OUTCOMES_EVENT = "org.entraide.outcomes.daily.v1"


class PartnerView(Frozen):
    event_type: ClassVar[str]


class PartnerReplyCreated(PartnerView):
    """Someone replied to a post (whether they can help, or a comment)."""

    event_type: ClassVar[str] = E.ReplyCreated.event_type
    reply_id: Id
    post_id: Id
    intent: ReplyIntent
    created_at: datetime


class PartnerReplyAnswered(PartnerView):
    """The author of a post made for a person recorded that person's answer to an offer."""

    event_type: ClassVar[str] = E.ReplyAnswered.event_type
    reply_id: Id
    post_id: Id
    answer: OfferAnswer
    answered_at: datetime


class PartnerMatchFound(PartnerView):
    """A request and an offer were paired, and why."""

    event_type: ClassVar[str] = E.MatchFound.event_type
    match_id: Id
    request_id: Id
    offer_id: Id
    score: Annotated[float, Field(ge=0.0, le=1.0)]
    reasons: tuple[MatchReason, ...]
    found_at: datetime


class PartnerAlertRaised(PartnerView):
    """An urgent request alerted the members within ``radius_m`` of it."""

    event_type: ClassVar[str] = E.UrgentAlertRaised.event_type
    alert_id: Id
    post_id: Id
    category: Category
    radius_m: RadiusM
    ring: int
    expires_at: datetime
    raised_at: datetime


class PartnerAlertEscalated(PartnerView):
    """Nobody came yet: the alert reached a wider ring."""

    event_type: ClassVar[str] = E.UrgentAlertEscalated.event_type
    alert_id: Id
    post_id: Id
    radius_m: RadiusM
    ring: int
    escalated_at: datetime


class PartnerAlertResolved(PartnerView):
    """The alert ended: resolved, taken by helpers, or expired."""

    event_type: ClassVar[str] = E.UrgentAlertResolved.event_type
    alert_id: Id
    post_id: Id
    reason: AlertEndReason
    resolved_at: datetime


class OutcomeCell(Frozen):
    """How many requests (or offers) of a category were resolved in an area on a day."""

    category: Category
    kind: Kind
    area: Annotated[str, Field(description="The area's grid square, row:column")]
    lat: float = Field(description="The area's centre")
    lon: float = Field(description="The area's centre")
    resolved: Annotated[int, Field(ge=K_ANONYMITY)]


class OutcomesOfTheDay(PartnerView):
    """The day's resolved requests and offers, per category, kind and area (UTC days);
    a cell of fewer than 5 is left out."""

    event_type: ClassVar[str] = OUTCOMES_EVENT
    day: date
    area_size_m: int = OUTCOME_AREA_M
    k_anonymity: int = K_ANONYMITY
    cells: tuple[OutcomeCell, ...]


def _reply(e: E.ReplyCreated) -> PartnerView:
    return PartnerReplyCreated(reply_id=e.reply_id, post_id=e.post_id, intent=e.intent,
                               created_at=e.created_at)  # fmt: skip


def _answer(e: E.ReplyAnswered) -> PartnerView:
    return PartnerReplyAnswered(reply_id=e.reply_id, post_id=e.post_id, answer=e.answer,
                                answered_at=e.answered_at)  # fmt: skip


def _match(e: E.MatchFound) -> PartnerView:
    return PartnerMatchFound(match_id=e.match_id, request_id=e.request_id,
                             offer_id=e.offer_id, score=e.score, reasons=e.reasons,
                             found_at=e.found_at)  # fmt: skip


def _raised(e: E.UrgentAlertRaised) -> PartnerView:
    return PartnerAlertRaised(alert_id=e.alert_id, post_id=e.post_id, category=e.category,
                              radius_m=e.radius_m, ring=e.ring, expires_at=e.expires_at,
                              raised_at=e.raised_at)  # fmt: skip


def _escalated(e: E.UrgentAlertEscalated) -> PartnerView:
    return PartnerAlertEscalated(alert_id=e.alert_id, post_id=e.post_id, radius_m=e.radius_m,
                                 ring=e.ring, escalated_at=e.escalated_at)  # fmt: skip


def _ended(e: E.UrgentAlertResolved) -> PartnerView:
    return PartnerAlertResolved(alert_id=e.alert_id, post_id=e.post_id, reason=e.reason,
                                resolved_at=e.resolved_at)  # fmt: skip


PROJECTIONS = {
    E.ReplyCreated: _reply,
    E.ReplyAnswered: _answer,
    E.MatchFound: _match,
    E.UrgentAlertRaised: _raised,
    E.UrgentAlertEscalated: _escalated,
    E.UrgentAlertResolved: _ended,
}
# Every event of a post's public life goes as it is.
AS_PUBLISHED = (
    E.PostCreated, E.PostUpdated, E.PostResolved, E.PostExpired, E.PostRemoved,
    E.PostWithdrawn, E.PostRestored,
)  # fmt: skip
PARTNER_VIEWS: tuple[type[PartnerView], ...] = (
    PartnerReplyCreated, PartnerReplyAnswered, PartnerMatchFound, PartnerAlertRaised,
    PartnerAlertEscalated, PartnerAlertResolved, OutcomesOfTheDay,
)  # fmt: skip


def for_partners(event: E.Event) -> Frozen | None:
    """The event as partners see it, or None when it is not for them."""
    if isinstance(event, AS_PUBLISHED):
        return event
    project = PROJECTIONS.get(type(event))
    return project(event) if project else None  # type: ignore[operator]
