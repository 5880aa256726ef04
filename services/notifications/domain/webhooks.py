"""Partner webhooks: filters, the retry schedule, the address rule. Pure: no I/O."""

from __future__ import annotations

import ipaddress
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.notifications.domain.notices import KnownPost
from shared.contract.geo import haversine_m
from shared.contract.values import Category, Kind, Point

# Standard Webhooks' suggested schedule, roughly: a try now, then these waits; the
# last try comes about 26 hours after the first.
DEFAULT_RETRY_SCHEDULE_S: tuple[float, ...] = (5, 300, 1_800, 7_200, 18_000, 36_000, 36_000)
JITTER_FRACTION = 0.2


# An endpoint its partner paused still takes deliveries: they wait, queued, until it is
# enabled again (one a 410 disabled takes none: its receiver is gone).
PAUSED = "paused by the partner"


@dataclass(frozen=True)
class WebhookFilter:
    """Empty sets mean "any". The area matches on the public (fuzzed) location."""

    categories: frozenset[Category] = frozenset()
    kinds: frozenset[Kind] = frozenset()
    area: Point | None = None
    area_radius_m: int | None = None
    urgent_only: bool = False

    def accepts(self, post: KnownPost) -> bool:
        if self.urgent_only and not post.urgent:
            return False
        return self.covers(post.category, post.kind, post.lat, post.lon)

    def covers(
        self, category: Category, kind: Kind, lat: float, lon: float, within_m: float = 0.0
    ) -> bool:
        """Category, kind and area: what a day's outcome cell is filtered by too (an area
        that is a square, not a point: ``within_m``, the distance from its centre to its
        corners, so that a square overlapping the endpoint's area counts)."""
        if self.categories and category not in self.categories:
            return False
        if self.kinds and kind not in self.kinds:
            return False
        if self.area is not None and self.area_radius_m is not None:
            distance = haversine_m(self.area.lat, self.area.lon, lat, lon)
            if distance > self.area_radius_m + within_m:
                return False
        return True


@dataclass(frozen=True)
class Endpoint:
    """A partner's webhook endpoint: where, what it wants, and the secrets that sign."""

    id: str
    partner_id: str
    url: str
    description: str
    secret: str
    previous_secret: str | None
    previous_until: datetime | None
    filter: WebhookFilter
    enabled: bool
    disabled_reason: str | None
    created_at: datetime

    def secrets(self, now: datetime) -> list[str]:
        """The secrets that sign now: the current one, and the previous during its grace."""
        if self.previous_secret and self.previous_until and now < self.previous_until:
            return [self.secret, self.previous_secret]
        return [self.secret]


@dataclass(frozen=True)
class Delivery:
    """One event for one endpoint, with its tries so far."""

    seq: int
    endpoint_id: str
    message_id: str
    event_type: str
    payload: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


def webhook_payload(event_type: str, at: datetime, data: dict) -> str:
    """The Standard Webhooks payload shape: type, timestamp, data (the partner's view)."""
    return json.dumps(
        {"type": event_type, "timestamp": at.isoformat(), "data": data}, separators=(",", ":")
    )


def retry_delay_s(
    attempts: int, schedule: Sequence[float], rng: random.Random | None = None
) -> float | None:
    """Wait before the next try after ``attempts`` failed ones; None: give up.

    Jitter (±20 %) spreads the retries of many deliveries that failed together, so a
    partner coming back up is not hit by all of them in the same second.
    """
    if attempts < 1 or attempts > len(schedule):
        return None
    base = schedule[attempts - 1]
    jitter = (rng or random).uniform(-JITTER_FRACTION, JITTER_FRACTION)
    return max(0.0, base * (1 + jitter))


def refused_address(addresses: Sequence[str]) -> str | None:
    """Why a host that resolves to ``addresses`` may not receive webhooks, or None.

    Every address must be public: a partner must not make us call our own network
    (the metadata service, Redis, the database). All of them, because a name may
    resolve to a public and a private address at once.
    """
    if not addresses:
        return "the host name does not resolve"
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if not address.is_global or _tunnelled(address):
            return f"the host resolves to a non-public address ({address})"
    return None


# IPv6 ranges that carry an IPv4 address to a gateway: a public-looking address that
# reaches whatever IPv4 address it embeds (127.0.0.1, 10.0.0.1...). Refused whole.
_TUNNELS = tuple(ipaddress.ip_network(n) for n in (
    "64:ff9b::/96",  # NAT64, well-known prefix
    "64:ff9b:1::/48",  # NAT64, local use
    "2002::/16",  # 6to4
    "2001::/32",  # Teredo
))  # fmt: skip


def _tunnelled(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if address.version == 4:
        return False
    if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d is the IPv4 address itself
        return True
    return any(address in network for network in _TUNNELS)
