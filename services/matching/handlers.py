"""What matching does with each event. Plain functions: the faust agents only wire them.

Routing: posts.v1 is keyed by post id, but a post can match only posts of its own
category, so each open post is re-keyed by category onto an internal topic; the
matcher that owns a category's partition sees every candidate (ADR 0006). The close
events (resolved, expired, removed, withdrawn) carry no category: the router remembers each
post's category in a table keyed like posts.v1.

Urgent alerts: an urgent request raises one, ticks widen it, the post's end (or a
helper's answer) ends it; the state transitions are the domain's (domain/alerts.py).
"""

from __future__ import annotations

from datetime import datetime

from services.matching.domain import alerts
from services.matching.domain.index import CandidateIndex
from services.matching.domain.posts import OpenPost
from services.matching.domain.rings import RingPlan
from services.matching.domain.score import Scored, best_matches
from services.matching.ports import Alerts, Categories, OpenPosts
from shared.contract.envelope import fixed_event_id
from shared.contract.events import (
    Event,
    MatchFound,
    PostCreated,
    PostExpired,
    PostRemoved,
    PostResolved,
    PostUpdated,
    PostWithdrawn,
)

CLOSING_EVENTS = (PostResolved, PostExpired, PostRemoved, PostWithdrawn)


def route(event: Event, categories: Categories) -> list[tuple[str, dict]]:
    """The messages for the matcher, each with its category (the key); [] when none.

    ``categories`` is the router's table: post id -> {"category", "closed"}. An edit that
    moves a post to another category closes it in the old one, whose matcher would
    otherwise keep offering it there.
    """
    if isinstance(event, PostCreated | PostUpdated):
        known = categories.get(event.post_id)
        if known and known["closed"]:
            return []  # a re-delivered create after the close: the post stays closed
        category = event.post.category.value
        categories[event.post_id] = {"category": category, "closed": False}
        opened = (category, {"op": "open", "post": OpenPost.of(event.post).to_dict()})
        if known and known["category"] != category:
            return [(known["category"], {"op": "close", "post_id": event.post_id}), opened]
        return [opened]
    if isinstance(event, CLOSING_EVENTS):
        known = categories.get(event.post_id)
        if known is None:
            return []  # never seen open (created before this service's history)
        categories[event.post_id] = {"category": known["category"], "closed": True}
        return [(known["category"], {"op": "close", "post_id": event.post_id})]
    return []


def match(
    message: dict,
    open_posts: OpenPosts,
    index: CandidateIndex,
    now: datetime,
) -> list[MatchFound]:
    """Apply one routed message to the open posts; return the matches it makes."""
    if message["op"] == "close":
        open_posts.pop(message["post_id"], None)
        index.remove(message["post_id"])
        return []
    post = OpenPost.from_dict(message["post"])
    if post.expires_at <= now:
        return []
    open_posts[post.post_id] = message["post"]
    index.add(post)
    # Matching again on a re-delivered message yields the same pairs with the same
    # event ids (see match_event_id), so consumers see duplicates, never new facts.
    return [match_found(s) for s in best_matches(post, index.candidates(post))]


def match_found(scored: Scored) -> MatchFound:
    request, offer = scored.request, scored.offer
    return MatchFound(
        match_id=f"m-{request.post_id}-{offer.post_id}",
        request_id=request.post_id,
        offer_id=offer.post_id,
        request_author_id=request.author_id,
        offer_author_id=offer.author_id,
        score=scored.score,
        reasons=scored.reasons,
        # The moment the pair became possible: the same on every recomputation.
        found_at=max(request.created_at, offer.created_at),
    )


def match_event_id(match: MatchFound) -> str:
    """Fixed by the pair: a recomputed match keeps its event id."""
    return fixed_event_id(match.match_id, match.found_at)


def rebuild_index(open_posts: OpenPosts) -> CandidateIndex:
    index = CandidateIndex()
    for data in open_posts.values():
        index.add(OpenPost.from_dict(data))
    return index


def on_alert_input(event: Event, table: Alerts, plan: RingPlan) -> list[tuple[Event, str]]:
    """The alert events (with their fixed ids) that an urgent request, a reply or the
    end of a post causes."""
    return alerts.handle(event, table, plan)


def on_alert_tick(post_id: str, table: Alerts, plan: RingPlan, now: datetime):
    """Widen or end the alert if it is due (a tick is sent for each due alert)."""
    return alerts.tick(post_id, table, plan, now)


def due_alerts(table: Alerts, now: datetime) -> list[str]:
    return alerts.due_post_ids(table, now)
