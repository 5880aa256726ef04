"""A partner's commands on its webhook endpoints: register, list, enable, rotate the
secret, read the deliveries, replay from a cursor. Every command checks that the
endpoint is the partner's own."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ulid import ULID

from services.notifications.domain.webhooks import PAUSED, Delivery, Endpoint, WebhookFilter
from services.notifications.ports import Clock, SecretMaker, WebhookSender, WebhookStore
from shared.contract.errors import Conflict, Forbidden, Invalid, NotFound
from shared.contract.identity import Claims

# Each endpoint gets a delivery in flight and its retries: a partner with many could take
# the delivery loop's slots from the others.
MAX_ENDPOINTS = 10
TEST_EVENT = "org.entraide.webhook.test.v1"


@dataclass(frozen=True)
class RotatedSecret:
    secret: str
    previous_valid_until: datetime


@dataclass
class WebhookHandlers:
    store: WebhookStore
    sender: WebhookSender
    make_secret: SecretMaker
    clock: Clock
    # After a rotation the old secret still signs for this long.
    secret_grace: timedelta = timedelta(hours=24)
    wake_deliveries: Callable[[], None] = lambda: None

    async def register(
        self, partner: Claims, url: str, description: str, filter: WebhookFilter
    ) -> Endpoint:
        """A new endpoint; its secret is in the answer, and never shown again."""
        if len(await self.store.endpoints_of(partner.member_id)) >= MAX_ENDPOINTS:
            raise Conflict(f"at most {MAX_ENDPOINTS} endpoints an organisation: delete one first",
                           field="url", code="too_many_endpoints",
                           params={"n": MAX_ENDPOINTS})  # fmt: skip
        problem = await self.sender.address_problem(url)
        if problem:
            raise Invalid(problem, field="url")
        endpoint = Endpoint(
            id=str(ULID()),
            partner_id=partner.member_id,
            url=url,
            description=description,
            secret=self.make_secret(),
            previous_secret=None,
            previous_until=None,
            filter=filter,
            enabled=True,
            disabled_reason=None,
            created_at=self.clock(),
        )
        await self.store.add_endpoint(endpoint)
        return endpoint

    async def endpoints(self, partner: Claims) -> list[Endpoint]:
        return await self.store.endpoints_of(partner.member_id)

    async def endpoint(self, partner: Claims, endpoint_id: str) -> Endpoint:
        endpoint = await self.store.endpoint(endpoint_id)
        if endpoint is None:
            raise NotFound("no such endpoint", field="endpoint_id")
        if endpoint.partner_id != partner.member_id:
            raise Forbidden("this endpoint belongs to another partner", field="endpoint_id")
        return endpoint

    async def delete(self, partner: Claims, endpoint_id: str) -> None:
        await self.endpoint(partner, endpoint_id)
        await self.store.delete_endpoint(endpoint_id)

    async def enable(self, partner: Claims, endpoint_id: str) -> Endpoint:
        await self.endpoint(partner, endpoint_id)
        await self.store.set_enabled(endpoint_id, True, None)
        self.wake_deliveries()
        return await self.endpoint(partner, endpoint_id)

    async def pause(self, partner: Claims, endpoint_id: str) -> Endpoint:
        """Deliveries wait (queued, not lost) until the partner enables it again."""
        await self.endpoint(partner, endpoint_id)
        await self.store.set_enabled(endpoint_id, False, PAUSED)
        return await self.endpoint(partner, endpoint_id)

    async def send_test(self, partner: Claims, endpoint_id: str) -> str:
        """A test delivery, signed like the others; its message id."""
        await self.endpoint(partner, endpoint_id)
        message_id = str(ULID())
        now = self.clock()
        payload = json.dumps({
            "type": TEST_EVENT, "timestamp": now.isoformat(),
            "data": {"message": "a test delivery from Entraide", "endpoint_id": endpoint_id},
        }, separators=(",", ":"))  # fmt: skip
        await self.store.enqueue([endpoint_id], message_id, TEST_EVENT, payload)
        self.wake_deliveries()
        return message_id

    async def rotate_secret(self, partner: Claims, endpoint_id: str) -> RotatedSecret:
        await self.endpoint(partner, endpoint_id)
        secret = self.make_secret()
        until = self.clock() + self.secret_grace
        await self.store.rotate_secret(endpoint_id, secret, until)
        return RotatedSecret(secret, until)

    async def deliveries(
        self, partner: Claims, endpoint_id: str, after: int, limit: int
    ) -> tuple[list[Delivery], int | None]:
        """A page of deliveries in order, and the cursor of the next page (or None)."""
        await self.endpoint(partner, endpoint_id)
        items = await self.store.deliveries(endpoint_id, after, limit)
        return items, items[-1].seq if len(items) == limit else None

    async def replay(self, partner: Claims, endpoint_id: str, after: int) -> int:
        """Send again every delivery after the cursor; how many were queued."""
        await self.endpoint(partner, endpoint_id)
        requeued = await self.store.replay(endpoint_id, after, self.clock())
        self.wake_deliveries()
        return requeued
