"""A partner's commands on its webhook endpoints: register, list, enable, rotate the
secret, read the deliveries, replay from a cursor. Every command checks that the
endpoint is the partner's own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from ulid import ULID

from services.notifications.domain.outcomes import Cell, closed_days
from services.notifications.domain.webhooks import (
    PAUSED,
    Delivery,
    Endpoint,
    WebhookFilter,
    webhook_payload,
)
from services.notifications.ports import Clock, Outcomes, SecretMaker, WebhookSender, WebhookStore
from shared.contract.envelope import fixed_event_id
from shared.contract.errors import Conflict, Forbidden, Invalid, NotFound
from shared.contract.identity import Claims
from shared.contract.partner import (
    K_ANONYMITY,
    OUTCOME_AREA_M,
    OUTCOMES_EVENT,
    OutcomeCell,
    OutcomesOfTheDay,
)

# Each endpoint gets a delivery in flight and its retries: a partner with many could take
# the delivery loop's slots from the others.
MAX_ENDPOINTS = 10
TEST_EVENT = "org.entraide.webhook.test.v1"
# The outcomes asked for at once: a quarter, a funder's usual period.
MAX_OUTCOME_DAYS = 92
# From an outcome area's centre to its corners: a square that overlaps an endpoint's
# area is sent to it.
AREA_HALF_DIAGONAL_M = OUTCOME_AREA_M * 0.7072


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
    outcomes: Outcomes
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
        data = {"message": "a test delivery from Entraide", "endpoint_id": endpoint_id}
        payload = webhook_payload(TEST_EVENT, now, data)
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

    async def replay_since(self, partner: Claims, endpoint_id: str, since: datetime) -> int:
        """Send again every delivery queued at or after ``since``; how many were queued."""
        await self.endpoint(partner, endpoint_id)
        before = await self.store.last_seq_before(endpoint_id, since)
        return await self.replay(partner, endpoint_id, before)

    # outcomes -------------------------------------------------------------------------
    async def outcomes_between(self, first: date, last: date) -> list[OutcomesOfTheDay]:
        """Each day's published cells (none under K_ANONYMITY), for the partner console."""
        if last < first:
            raise Invalid("the last day comes before the first", field="to")
        if (last - first).days >= MAX_OUTCOME_DAYS:
            raise Invalid(f"at most {MAX_OUTCOME_DAYS} days at once", field="to",
                          code="too_many_days", params={"n": MAX_OUTCOME_DAYS})  # fmt: skip
        cells = await self.outcomes.cells(first, last, K_ANONYMITY)
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return [_day(day, [c for c in cells if c.day == day]) for day in days]

    async def send_outcomes(self) -> int:
        """Each closed day's outcomes to every receiving endpoint, filtered by its
        categories, kinds and area; how many deliveries were queued. Safe to repeat (and
        to run on two instances): a day's delivery is unique per endpoint."""
        days = closed_days(self.clock())
        cells = await self.outcomes.cells(days[0], days[-1], K_ANONYMITY)
        endpoints = await self.store.receiving_endpoints()
        queued = 0
        for day in days:
            midnight = datetime.combine(day + timedelta(days=1), time(), UTC)
            message_id = fixed_event_id(f"outcomes/{day.isoformat()}", midnight)
            for endpoint in endpoints:
                payload = webhook_payload(OUTCOMES_EVENT, midnight, _day(day, [
                    c for c in cells if c.day == day and endpoint.filter.covers(
                        c.category, c.kind, c.lat, c.lon, AREA_HALF_DIAGONAL_M)
                ]).model_dump(mode="json"))  # fmt: skip
                queued += await self.store.enqueue(
                    [endpoint.id], message_id, OUTCOMES_EVENT, payload
                )
        if queued:
            self.wake_deliveries()
        return queued


def _day(day: date, cells: list[Cell]) -> OutcomesOfTheDay:
    return OutcomesOfTheDay(day=day, cells=tuple(
        OutcomeCell(category=c.category, kind=c.kind, area=c.area, lat=c.lat, lon=c.lon,
                    resolved=c.resolved) for c in cells
    ))  # fmt: skip
