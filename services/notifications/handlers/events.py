"""One function per event type, registered explicitly in ``EventHandlers.routes``.

Every handler is idempotent on the event id: notifications are unique per member and
cause, deliveries per endpoint and message, and a re-delivered event publishes the
same notification ids again (the gateway drops a duplicate id).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from services.notifications.domain import notices as N
from services.notifications.domain.notices import Stored
from services.notifications.domain.outcomes import resolution_of
from services.notifications.domain.preferences import Decision, decide, digest_due, digest_title
from services.notifications.domain.webhooks import webhook_payload
from services.notifications.ports import (
    AlertRooms,
    Clock,
    Directory,
    Inbox,
    Outcomes,
    Pusher,
    WebhookStore,
)
from shared.contract import events as E
from shared.contract.envelope import DecodedEvent, fixed_event_id, new_event_id
from shared.contract.partner import for_partners

log = logging.getLogger(__name__)

DIGEST_BATCH = 500
# Notifications stored per statement, the statements side by side on the pool.
CHUNK = 200


def _cause(decoded: DecodedEvent) -> N.Cause:
    return N.Cause(decoded.envelope.id)


@dataclass
class EventHandlers:
    inbox: Inbox
    directory: Directory
    webhooks: WebhookStore
    publish: Pusher
    clock: Clock
    rooms: AlertRooms
    outcomes: Outcomes
    wake_deliveries: Callable[[], None] = lambda: None
    routes: dict[type[E.Event], Callable[[DecodedEvent], Awaitable[None]]] = field(init=False)

    def __post_init__(self) -> None:
        self.routes = {
            E.PostCreated: self.on_post_changed,
            E.PostUpdated: self.on_post_changed,
            E.PostResolved: self.on_post_resolved,
            E.PostExpired: self.on_partner_event,
            E.PostRemoved: self.on_post_removed,
            E.PostWithdrawn: self.on_post_withdrawn,
            E.PostRestored: self.on_post_changed,
            E.ReplyCreated: self.on_reply,
            E.ReplyAnswered: self.on_partner_event,
            E.MatchFound: self.on_match,
            E.UrgentAlertRaised: self.on_alert_raised,
            E.UrgentAlertEscalated: self.on_alert_escalated,
            E.UrgentAlertResolved: self.on_alert_resolved,
            E.MemberProfileChanged: self.on_profile_changed,
            E.MemberLocated: self.on_member_located,
            E.MessageSent: self.on_message_sent,
            E.ConversationRead: self.on_conversation_read,
        }

    async def handle(self, decoded: DecodedEvent) -> None:
        handler = self.routes.get(type(decoded.event))
        if handler is not None:
            await handler(decoded)

    # posts and replies ----------------------------------------------------------------
    async def on_post_changed(self, decoded: DecodedEvent) -> None:
        event = decoded.event
        assert isinstance(event, E.PostCreated | E.PostUpdated | E.PostRestored)
        facts = N.KnownPost.of(event.post)
        await self.inbox.remember_post(facts)
        await self._to_partners(decoded, facts)

    async def on_post_resolved(self, decoded: DecodedEvent) -> None:
        resolved = decoded.event
        assert isinstance(resolved, E.PostResolved)
        post = await self.inbox.post(resolved.post_id)
        if post is None:
            return  # never saw it created: nothing to count it by
        resolution = resolution_of(post, resolved.outcome, resolved.resolved_at)
        if resolution is not None:
            await self.outcomes.record(resolution)
        await self._to_partners(decoded, post)

    async def on_post_removed(self, decoded: DecodedEvent) -> None:
        event = decoded.event
        assert isinstance(event, E.PostRemoved)
        post = await self.inbox.post(event.post_id)
        await self.notify(_cause(decoded), N.for_removal(event, post))
        await self.inbox.forget_matches(event.post_id)  # its title no longer shows
        await self.on_partner_event(decoded)

    async def on_post_withdrawn(self, decoded: DecodedEvent) -> None:
        assert isinstance(decoded.event, E.PostWithdrawn)
        await self.inbox.forget_matches(decoded.event.post_id)
        await self.on_partner_event(decoded)

    async def on_reply(self, decoded: DecodedEvent) -> None:
        reply = decoded.event
        assert isinstance(reply, E.ReplyCreated)
        post = await self.inbox.post(reply.post_id)
        followers = await self.inbox.followers(reply.post_id)
        await self.notify(_cause(decoded), N.for_reply(reply, post, followers))
        # After notifying: the replier now follows the thread, for the next replies.
        await self.inbox.follow(reply.post_id, [reply.author_id])
        if post is not None:
            await self._to_partners(decoded, post)

    async def on_match(self, decoded: DecodedEvent) -> None:
        match = decoded.event
        assert isinstance(match, E.MatchFound)
        posts, _ = await asyncio.gather(
            self.inbox.posts([match.request_id, match.offer_id]), self.inbox.remember_match(match)
        )
        request = posts.get(match.request_id)
        notices = N.for_match(match, request, posts.get(match.offer_id))
        await self.notify(_cause(decoded), notices)
        if request is not None:  # a match goes to partners as its request's does
            await self._to_partners(decoded, request)

    # conversations --------------------------------------------------------------------
    async def on_message_sent(self, decoded: DecodedEvent) -> None:
        """The other member hears of a message when not looking: one notification per
        conversation until they read it (the next messages are in the conversation, and
        a reader who keeps it open reads them at once). Quiet hours and caps apply."""
        sent = decoded.event
        assert isinstance(sent, E.MessageSent)
        post = await self.inbox.post(sent.post_id)
        notice = N.for_message(sent, post.title if post else None)
        if await self.inbox.unread_conversation(notice.member_id, sent.conversation_id):
            return
        await self.notify(_cause(decoded), [notice])

    async def on_conversation_read(self, decoded: DecodedEvent) -> None:
        read = decoded.event
        assert isinstance(read, E.ConversationRead)
        await self.inbox.read_conversation(read.member_id, read.conversation_id, self.clock())

    # urgent alerts --------------------------------------------------------------------
    async def on_alert_raised(self, decoded: DecodedEvent) -> None:
        raised = decoded.event
        assert isinstance(raised, E.UrgentAlertRaised)
        alert = N.AlertFacts(raised.post_id, raised.author_id, raised.category, raised.expires_at)
        await self._alert(_cause(decoded), alert, raised, remember=True)
        await self.on_partner_event(decoded)

    async def on_alert_escalated(self, decoded: DecodedEvent) -> None:
        escalated = decoded.event
        assert isinstance(escalated, E.UrgentAlertEscalated)
        alert = await self.inbox.alert(escalated.post_id)
        if alert is None:
            # Alerts are keyed by post: the raise came first on this partition, so this
            # only happens if it was dead-lettered. Nothing to widen.
            log.warning("escalation of an alert never raised: %s", escalated.post_id)
            return
        await self._alert(_cause(decoded), alert, escalated)
        await self.on_partner_event(decoded)

    async def _alert(
        self,
        cause: N.Cause,
        alert: N.AlertFacts,
        ring: E.UrgentAlertRaised | E.UrgentAlertEscalated,
        remember: bool = False,
    ) -> None:
        # Independent lookups (Redis, then two PostgreSQL queries) side by side, and for
        # a new alert the write that lets escalations find it.
        steps = [
            self.directory.near(alert.category, ring.point, ring.radius_m),
            self.inbox.alerted(alert.post_id),
            self.inbox.post(alert.post_id),
        ]
        if remember:
            steps.append(self.inbox.remember_alert(alert))
        nearby, already, post, *_ = await asyncio.gather(*steps)
        notices = N.for_alert(alert, post, ring.point, nearby, already)
        # Who may answer goes to the rooms' topic alongside the notifications, not before
        # them (that would add a broker round trip to every alert): an answer that reaches
        # a gateway before it read who was reached is refused once, and the client asks
        # again (docs/protocol.md).
        await asyncio.gather(
            self._reached(ring, [n.member_id for n in notices], cause), self.notify(cause, notices)
        )

    async def _reached(
        self, ring: E.UrgentAlertRaised | E.UrgentAlertEscalated, members: list[str], cause
    ) -> None:
        at = ring.raised_at if isinstance(ring, E.UrgentAlertRaised) else ring.escalated_at
        step = E.REACHED_PER_EVENT
        for part, start in enumerate(range(0, len(members), step)):
            reached = E.AlertReached(
                alert_id=ring.alert_id, post_id=ring.post_id, ring=ring.ring,
                member_ids=tuple(members[start : start + step]), reached_at=at,
            )  # fmt: skip
            await self.rooms.reached(
                reached, fixed_event_id(f"{cause.event_id}/reached/{part}", at)
            )

    async def on_alert_resolved(self, decoded: DecodedEvent) -> None:
        ended = decoded.event
        assert isinstance(ended, E.UrgentAlertResolved)
        reached = sorted(await self.inbox.alerted(ended.post_id))
        post = await self.inbox.post(ended.post_id)
        await self.notify(_cause(decoded), N.for_alert_end(ended, post, reached))
        if post is not None:
            await self._to_partners(decoded, post)

    # members --------------------------------------------------------------------------
    async def on_profile_changed(self, decoded: DecodedEvent) -> None:
        assert isinstance(decoded.event, E.MemberProfileChanged)
        await self.directory.apply_profile(decoded.event)

    async def on_member_located(self, decoded: DecodedEvent) -> None:
        assert isinstance(decoded.event, E.MemberLocated)
        await self.directory.apply_location(decoded.event)

    # partners -------------------------------------------------------------------------
    async def on_partner_event(self, decoded: DecodedEvent) -> None:
        post_id = getattr(decoded.event, "post_id", None)
        post = await self.inbox.post(post_id) if post_id else None
        if post is None:
            return  # never saw it created (before this service existed): no facts to filter
        await self._to_partners(decoded, post)

    async def _to_partners(self, decoded: DecodedEvent, post: N.KnownPost) -> None:
        """The event as partners see it (shared/contract/partner.py), to every endpoint
        whose filter the post passes."""
        view = for_partners(decoded.event)
        if view is None:
            return
        endpoints = [
            e.id for e in await self.webhooks.receiving_endpoints() if e.filter.accepts(post)
        ]
        if not endpoints:
            return
        envelope = decoded.envelope
        payload = webhook_payload(envelope.type, envelope.time, view.model_dump(mode="json"))
        if await self.webhooks.enqueue(endpoints, envelope.id, envelope.type, payload):
            self.wake_deliveries()

    # storing and pushing --------------------------------------------------------------
    async def notify(self, cause: N.Cause, notices: list[N.Notice]) -> list[Stored]:
        """Store each notice (held or not, by the member's preferences) and push those
        not held. Urgent notices skip the preference lookups altogether.

        Ids are fixed by (cause, member), so storing and pushing need no order between
        them (ADR 0007): a crash between the two is repaired by the re-delivered cause,
        which counts as handled only when every notification is acknowledged by the
        broker and stored.
        """
        if not notices:
            return []
        now = self.clock()
        ordinary = [n.member_id for n in notices if not n.urgent]
        if ordinary:
            prefs = await self.inbox.preferences(ordinary)
            day_starts = {member: p.day_start(now) for member, p in prefs.items()}
            pushed = await self.inbox.pushed_since(day_starts)
        rows = []
        for notice in notices:
            held = False
            if not notice.urgent:
                decision = decide(
                    prefs[notice.member_id], notice, now, pushed.get(notice.member_id, 0)
                )
                if decision is Decision.DROP:
                    continue
                held = decision is Decision.HOLD
            rows.append(_row(cause, notice, held, now))
        # Pushed first, in one hand-off (the producer sends it in one request), and
        # stored once the broker has it: the sockets wait on the pushes, the inbox can
        # wait a few milliseconds more, and PostgreSQL's work no longer competes with
        # the broker and the readers for the 2 cores while they are on the way.
        await asyncio.gather(*await self.publish([row for row in rows if not row.held]))
        saves = [self.inbox.save(rows[s : s + CHUNK]) for s in range(0, len(rows), CHUNK)]
        await asyncio.gather(*saves)
        return rows

    async def send_digests(self) -> int:
        """Announce the held notifications of members whose quiet hours or cap are over;
        returns how many digests were sent."""
        now = self.clock()
        sent = 0
        members = await self.inbox.members_with_held(DIGEST_BATCH)
        if not members:
            return 0
        prefs = await self.inbox.preferences(members)
        for member_id in members:
            member_prefs = prefs[member_id]
            pushed = await self.inbox.pushed_since({member_id: member_prefs.day_start(now)})
            if not digest_due(member_prefs, now, pushed.get(member_id, 0)):
                continue
            held = await self.inbox.held_count(member_id)
            notice = N.Notice(member_id, N.Reason.DIGEST, digest_title(held), None,
                              code=N.NoticeCode.DIGEST, params={"n": str(held)})  # fmt: skip
            # The digest first, then the release: a crash between them sends a second
            # digest, never none.
            await self.notify(N.Cause(new_event_id()), [notice])
            await self.inbox.release_held(member_id)
            sent += 1
        return sent


def _row(cause: N.Cause, notice: N.Notice, held: bool, now: datetime) -> Stored:
    return Stored(
        id=cause.notification_id(notice.member_id),
        member_id=notice.member_id,
        cause_event_id=cause.event_id,
        reason=notice.reason,
        post_id=notice.post_id,
        title=notice.title,
        urgent=notice.urgent,
        distance_m=notice.distance_m,
        expires_at=notice.expires_at,
        held=held,
        created_at=now,
        read_at=None,
        title_code=notice.code.value if notice.code else None,
        title_params=notice.params,
    )
