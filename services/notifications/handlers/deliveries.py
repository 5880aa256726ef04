"""One try at one webhook delivery, and what its answer decides: delivered, retried
later (with backoff and jitter), dead after the last try, or the endpoint disabled when
the partner says it is gone (410)."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta

from prometheus_client import Counter

from services.notifications.domain.webhooks import Delivery, retry_delay_s
from services.notifications.ports import Clock, WebhookSender, WebhookStore

log = logging.getLogger(__name__)

GONE = 410

DELIVERY_ATTEMPTS = Counter(
    "entraide_webhook_attempts_total", "Webhook delivery attempts", ["outcome"]
)


@dataclass
class DeliveryHandlers:
    store: WebhookStore
    sender: WebhookSender
    clock: Clock
    schedule_s: tuple[float, ...]
    rng: random.Random = field(default_factory=random.Random)

    async def deliver(self, delivery: Delivery) -> None:
        endpoint = await self.store.endpoint(delivery.endpoint_id)
        if endpoint is None or not endpoint.enabled:
            return  # deleted or disabled meanwhile: the lease lapses, nothing is sent
        attempt = await self.sender.send(
            endpoint.url, endpoint.secrets(self.clock()), delivery.message_id, delivery.payload
        )
        if attempt.delivered:
            DELIVERY_ATTEMPTS.labels("delivered").inc()
            await self.store.delivered(delivery.seq, attempt.status or 200, self.clock())
            return
        if attempt.status == GONE:
            # The partner says this endpoint is gone for good: stop sending to it.
            DELIVERY_ATTEMPTS.labels("gone").inc()
            await self.store.set_enabled(endpoint.id, False, "the endpoint answered 410 Gone")
            await self.store.failed(delivery.seq, attempt.status, attempt.error or "gone", None)
            return
        delay_s = retry_delay_s(delivery.attempts + 1, self.schedule_s, self.rng)
        retry_at = None if delay_s is None else self.clock() + timedelta(seconds=delay_s)
        DELIVERY_ATTEMPTS.labels("retry" if retry_at else "dead").inc()
        log.info(
            "delivery %s to %s failed (try %d): %s", delivery.seq, endpoint.id,
            delivery.attempts + 1, attempt.error,
        )  # fmt: skip
        await self.store.failed(delivery.seq, attempt.status, attempt.error or "", retry_at)
