"""The faust agents, the alert timer and the web pages: thin wiring around the handlers.

``register`` attaches them to a built app (``bootstrap.build``). Run a worker with
``python -m services.matching.entrypoints.worker``; start more to share the partitions
(the tables are rebuilt from their changelogs on the new owner).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import faust
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, generate_latest

from services.matching import handlers
from services.matching.bootstrap import Matching
from shared.contract.catalogue import POSTS
from shared.contract.envelope import decode_event, encode_event
from shared.contract.events import Event
from shared.runtime.kafka.consumer import dead_letter_headers, describe_error
from shared.runtime.tracing import (
    TRACEPARENT_HEADER,
    child_traceparent,
    trace_id,
    traceparent_from_headers,
)

log = logging.getLogger(__name__)

# Prometheus metrics, named like the other services' (entraide_*), at /metrics.
ROUTED = Counter("entraide_matching_posts_routed_total", "Post events routed by category")
MATCHES_SENT = Counter("entraide_matching_matches_total", "MatchFound events sent")
ALERT_EVENTS = Counter("entraide_matching_alert_events_total", "Urgent alert events sent",
                       ["type"])  # fmt: skip
DEAD_LETTERS = Counter("entraide_matching_dead_letters_total",
                       "Records sent to matching's dead-letter topic", ["stage"])  # fmt: skip
INDEX_POSTS = Gauge("entraide_matching_index_open_posts",
                    "Open posts in this worker's candidate index")  # fmt: skip


def consuming_problem(app: faust.App) -> str | None:
    """Why this worker is not consuming yet, or None."""
    if app.rebalancing:
        return "rebalancing"
    if not app.tables.recovery.completed.is_set():
        return "recovering its tables"
    return None


@dataclass(frozen=True)
class Agents:
    handle_post_events: faust.types.AgentT
    match_posts: faust.types.AgentT


def register(m: Matching) -> Agents:
    """Attach the agents, the timer, the rebalance hook and the web pages to ``m.app``."""
    app = m.app
    posts_name = m.names(POSTS)

    @app.on_rebalance_complete.connect
    async def _rebuild_after_rebalance(sender, **kwargs) -> None:
        m.index_holder.invalidate()

    async def dead_letter(event: faust.types.EventT, exc: Exception, stage: str) -> None:
        message = event.message
        error = describe_error(exc)
        log.error("dead-lettering %s[%d]@%d: %s", message.topic, message.partition,
                  message.offset, error[:300])  # fmt: skip
        headers = dead_letter_headers(message, error, stage)
        await m.dead_letters.send(key=message.key, value=message.value or b"", headers=headers)
        DEAD_LETTERS.labels(stage).inc()

    async def send_alert_events(emitted: list[tuple[Event, str]], traceparent: str | None):
        for alert_event, event_id in emitted:
            child = child_traceparent(traceparent)
            log.info("%s %s trace_id=%s", alert_event.event_type, event_id, trace_id(child))
            ALERT_EVENTS.labels(alert_event.event_type).inc()
            await m.alerts.send(
                key=alert_event.subject().encode(),
                value=encode_event(alert_event, event_id=event_id, traceparent=child),
                headers=[(TRACEPARENT_HEADER, child.encode())],
            )

    @app.agent(m.post_inputs)
    async def handle_post_events(stream) -> None:
        """Routes posts.v1 to the matcher and runs the urgent alerts: one agent reads
        posts.v1, so one place decodes a post and dead-letters it."""
        ticks_name = m.alert_ticks.get_topic_name()
        async for event in stream.events():
            message = event.message
            if message.topic == ticks_name:
                post_id = message.key.decode()
                now = m.clock()
                await send_alert_events(
                    handlers.on_alert_tick(post_id, m.alerts_table, m.ring_plan, now), None
                )
                continue
            try:
                decoded = decode_event(event.value)
            except Exception as exc:
                await dead_letter(event, exc, "decode")
                continue
            traceparent = (
                traceparent_from_headers(event.message.headers) or decoded.envelope.traceparent
            )
            if message.topic == posts_name:
                try:
                    routed = handlers.route(decoded.event, m.post_categories)
                except Exception as exc:
                    await dead_letter(event, exc, "handle")
                    continue
                for category, routed_message in routed:
                    routed_message["traceparent"] = traceparent
                    value = json.dumps(routed_message).encode()
                    await m.publish(m.by_category, category.encode(), value)
                ROUTED.inc(len(routed))
                if (message.key or b"").decode() not in m.alerts_table:
                    continue  # only the end of a post with an alert matters to the alerts
            emitted = handlers.on_alert_input(decoded.event, m.alerts_table, m.ring_plan)
            await send_alert_events(emitted, traceparent)

    @app.agent(m.by_category)
    async def match_posts(stream) -> None:
        async for message in stream:
            try:
                found = handlers.match(message, m.open_posts, m.index_holder.get(), m.clock())
            except Exception as exc:
                log.exception("matching failed for %s: %s", message, exc)
                continue
            if found:
                # One line per post, not per match (faust's logging showed in the
                # profile); its lines are plain text, so the trace id goes in the message.
                log.info("matches %s trace_id=%s", ",".join(f.match_id for f in found),
                         trace_id(message.get("traceparent")))  # fmt: skip
            for match in found:
                traceparent = child_traceparent(message.get("traceparent"))
                value = encode_event(
                    match, event_id=handlers.match_event_id(match), traceparent=traceparent
                )
                headers = [(TRACEPARENT_HEADER, traceparent.encode())]
                await m.publish(m.matches, match.subject().encode(), value, headers)
            MATCHES_SENT.inc(len(found))

    @app.timer(interval=m.settings.alert_tick_s)
    async def tick_due_alerts() -> None:
        for post_id in handlers.due_alerts(m.alerts_table, m.clock()):
            await m.alert_ticks.send(key=post_id.encode(), value=b"tick")

    @app.page("/healthz")
    async def healthz(web, request):
        return web.json({"status": "ok"})

    @app.page("/metrics")
    async def metrics(web, request):
        index = m.index_holder.index
        INDEX_POSTS.set(len(index) if index is not None else 0)
        # aiohttp refuses a charset inside content_type: the header carries it whole.
        return web.bytes(generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    @app.page("/readyz")
    async def readyz(web, request):
        # Ready once it consumes: in the group, its tables recovered from their
        # changelogs, not in a rebalance. The web server alone answers long before
        # (13-22 s after a restart, under load: issue 17).
        problem = consuming_problem(app)
        if problem:
            return web.json({"status": "unavailable", "failures": {"consumer": problem}},
                            status=503)  # fmt: skip
        return web.json({"status": "ready"})

    return Agents(handle_post_events, match_posts)
