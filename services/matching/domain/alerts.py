"""Urgent alerts: raised on an urgent request, widened by rings, ended for everyone.

One alert per urgent post, keyed by post id like every input (urgent-requests.v1,
replies.v1, posts.v1 and the internal tick topic), so one worker owns an alert's whole
life. A timer on each worker looks at its own alerts and sends a tick for those due;
the change itself happens when the agent handles the tick, inside the stream, where
faust can write the table's changelog to the right partition.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import datetime, timedelta

from services.matching.domain import rings
from shared.contract import events as E
from shared.contract.envelope import fixed_event_id
from shared.contract.values import AlertEndReason, Answer, Point

# The post's end: why the alert ends, and the event field that says when.
END_REASONS: dict[type, tuple[AlertEndReason, str]] = {
    E.PostResolved: (AlertEndReason.RESOLVED, "resolved_at"),
    E.PostExpired: (AlertEndReason.EXPIRED, "expired_at"),
    E.PostRemoved: (AlertEndReason.REMOVED, "removed_at"),
    E.PostWithdrawn: (AlertEndReason.WITHDRAWN, "withdrawn_at"),
}
# An ended alert is kept this long after its expiry, so that a re-delivered request
# is recognised and not raised again; then the timer forgets it.
FORGET_AFTER = timedelta(days=1)

Alerts = MutableMapping[str, dict]


def _state(data: dict) -> rings.AlertState:
    return rings.AlertState(
        alert_id=data["alert_id"],
        post_id=data["post_id"],
        ring=data["ring"],
        next_escalation_at=datetime.fromisoformat(data["next_escalation_at"])
        if data["next_escalation_at"] else None,
        expires_at=datetime.fromisoformat(data["expires_at"]),
        ended=data["ended"],
    )  # fmt: skip


def _store(data: dict, state: rings.AlertState) -> dict:
    return {
        **data,
        "ring": state.ring,
        "next_escalation_at": state.next_escalation_at.isoformat()
        if state.next_escalation_at else None,
        "ended": state.ended,
    }  # fmt: skip


def handle(event: E.Event, alerts: Alerts, plan: rings.RingPlan) -> list[tuple[E.Event, str]]:
    """The alert events (with their fixed ids) that an input event causes."""
    if isinstance(event, E.UrgentRequestPlaced):
        return _raise(event, alerts, plan)
    if isinstance(event, E.HelperAnswered | E.HelperReleased):
        _count_helper(event, alerts)
        return []
    # Only the post's own end ends its alert: the requester resolves or withdraws it, a
    # moderator removes it, or it expires. A reply, even "I can help" from anyone, never
    # does (a stranger could otherwise silence it for everyone).
    ending = END_REASONS.get(type(event))
    if ending is not None:
        reason, when = ending
        return _end(event.post_id, reason, getattr(event, when), alerts)
    return []


def due_post_ids(alerts: Alerts, now: datetime) -> list[str]:
    """The alerts that need a tick: an escalation or an expiry is due."""
    due = []
    for post_id, data in list(alerts.items()):
        state = _state(data)
        if state.ended:
            if now >= state.expires_at + FORGET_AFTER:
                due.append(post_id)
            continue
        escalation_due = state.next_escalation_at is not None and now >= state.next_escalation_at
        if escalation_due or rings.is_expired(state, now):
            due.append(post_id)
    return due


def tick(post_id: str, alerts: Alerts, plan: rings.RingPlan, now: datetime):
    data = alerts.get(post_id)
    if data is None:
        return []
    state = _state(data)
    if state.ended:
        if now >= state.expires_at + FORGET_AFTER:
            del alerts[post_id]
        return []
    if rings.is_expired(state, now):
        return _end(post_id, AlertEndReason.EXPIRED, state.expires_at, alerts)
    scheduled = state.next_escalation_at
    wider = rings.due_escalation(state, plan, now, coming=len(data.get("coming", ())))
    if wider is None or scheduled is None:
        return []
    alerts[post_id] = _store(data, wider)
    if wider.ring == state.ring:
        return []  # enough helpers are coming: the rings wait
    escalated = E.UrgentAlertEscalated(
        alert_id=state.alert_id,
        post_id=post_id,
        point=Point(lat=data["lat"], lon=data["lon"]),
        radius_m=plan.radii_m[wider.ring],
        ring=wider.ring,
        escalated_at=scheduled,
    )
    return [(escalated, fixed_event_id(f"{state.alert_id}/ring/{wider.ring}", scheduled))]


def _count_helper(event: E.HelperAnswered | E.HelperReleased, alerts: Alerts) -> None:
    """Who is coming (the gateway let only reached members answer): enough of them and
    the rings stop widening."""
    data = alerts.get(event.post_id)
    if data is None or data["ended"]:
        return
    coming, released = set(data.get("coming", ())), set(data.get("released", ()))
    if isinstance(event, E.HelperReleased):
        released.add(event.member_id)  # for good: a later "coming" (a race) is not counted
    if isinstance(event, E.HelperAnswered) and event.answer is Answer.COMING:
        coming.add(event.member_id)
    else:
        coming.discard(event.member_id)
    coming -= released
    alerts[event.post_id] = {**data, "coming": sorted(coming), "released": sorted(released)}


def _raise(placed: E.UrgentRequestPlaced, alerts: Alerts, plan: rings.RingPlan):
    if placed.post_id in alerts:
        return []  # seen before: the alert exists (or existed) already
    alert_id = f"a-{placed.post_id}"
    state = rings.start(alert_id, placed.post_id, plan, placed.placed_at, placed.expires_at)
    alerts[placed.post_id] = _store(
        {
            "alert_id": alert_id,
            "post_id": placed.post_id,
            "lat": placed.point.lat,
            "lon": placed.point.lon,
            "expires_at": placed.expires_at.isoformat(),
        },
        state,
    )
    raised = E.UrgentAlertRaised(
        alert_id=alert_id,
        post_id=placed.post_id,
        author_id=placed.author_id,
        category=placed.category,
        point=placed.point,
        radius_m=plan.radii_m[0],
        ring=0,
        expires_at=placed.expires_at,
        raised_at=placed.placed_at,
    )
    return [(raised, fixed_event_id(f"{alert_id}/raised", placed.placed_at))]


def _end(post_id: str, reason: AlertEndReason, at: datetime, alerts: Alerts):
    data = alerts.get(post_id)
    if data is None or data["ended"]:
        return []
    alerts[post_id] = {**data, "ended": True}
    resolved = E.UrgentAlertResolved(
        alert_id=data["alert_id"], post_id=post_id, reason=reason, resolved_at=at
    )
    return [(resolved, fixed_event_id(f"{data['alert_id']}/resolved", at))]
