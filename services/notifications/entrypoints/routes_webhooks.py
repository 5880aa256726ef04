"""Partner webhook endpoints: register, list, rotate the secret, deliveries, replay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from services.notifications.domain.webhooks import Endpoint, WebhookFilter
from services.notifications.entrypoints.deps import WebhooksDep
from services.notifications.entrypoints.schemas import (
    AreaIn,
    DeliveryOut,
    DeliveryPage,
    EndpointCreated,
    EndpointIn,
    EndpointOut,
    FiltersIn,
    Replayed,
    ReplayIn,
    SecretRotated,
)
from shared.contract.errors import Invalid
from shared.contract.values import Id, Point
from shared.runtime.schemas import ErrorBody
from shared.runtime.web_auth import Partner

router = APIRouter(
    prefix="/v1/webhooks",
    tags=["webhooks"],
    responses={
        401: {"model": ErrorBody, "description": "No or an invalid access token"},
        403: {"model": ErrorBody, "description": "Not a partner, or not this partner's"},
    },
)
EndpointId = Annotated[Id, Path(description="The endpoint's id")]


def _filter_in(f: FiltersIn) -> WebhookFilter:
    return WebhookFilter(
        categories=frozenset(f.categories),
        kinds=frozenset(f.kinds),
        area=Point(lat=f.area.lat, lon=f.area.lon) if f.area else None,
        area_radius_m=f.area.radius_m if f.area else None,
        urgent_only=f.urgent_only,
    )


def _filters_out(f: WebhookFilter) -> FiltersIn:
    area = None
    if f.area is not None and f.area_radius_m is not None:
        area = AreaIn(lat=f.area.lat, lon=f.area.lon, radius_m=f.area_radius_m)
    return FiltersIn(
        categories=sorted(f.categories), kinds=sorted(f.kinds), area=area,
        urgent_only=f.urgent_only,
    )  # fmt: skip


def _out(e: Endpoint) -> EndpointOut:
    return EndpointOut(
        id=e.id, url=e.url, description=e.description, filters=_filters_out(e.filter),
        enabled=e.enabled, disabled_reason=e.disabled_reason, created_at=e.created_at,
    )  # fmt: skip


@router.post(
    "",
    status_code=201,
    summary="Register an endpoint",
    description="Deliveries follow Standard Webhooks (webhook-id, webhook-timestamp, "
    "webhook-signature). The secret is shown once. Addresses that resolve to private "
    "or loopback ranges are refused.",
    responses={
        409: {"model": ErrorBody, "description": "`too_many_endpoints`: at most 10"},
        422: {"model": ErrorBody, "description": "Invalid filters or address"},
    },
)
async def register(body: EndpointIn, partner: Partner, handlers: WebhooksDep) -> EndpointCreated:
    endpoint = await handlers.register(
        partner, body.url, body.description, _filter_in(body.filters)
    )
    return EndpointCreated(**_out(endpoint).model_dump(), secret=endpoint.secret)


@router.get("", summary="The partner's endpoints")
async def list_endpoints(partner: Partner, handlers: WebhooksDep) -> list[EndpointOut]:
    return [_out(e) for e in await handlers.endpoints(partner)]


@router.get("/{endpoint_id}", summary="One endpoint", responses={404: {"model": ErrorBody}})
async def get_endpoint(
    endpoint_id: EndpointId, partner: Partner, handlers: WebhooksDep
) -> EndpointOut:
    return _out(await handlers.endpoint(partner, endpoint_id))


@router.delete("/{endpoint_id}", status_code=204, responses={404: {"model": ErrorBody}})
async def delete_endpoint(endpoint_id: EndpointId, partner: Partner, handlers: WebhooksDep):
    await handlers.delete(partner, endpoint_id)
    return Response(status_code=204)


@router.post(
    "/{endpoint_id}/enable",
    summary="Enable again (after a 410 disabled it)",
    responses={404: {"model": ErrorBody}},
)
async def enable(endpoint_id: EndpointId, partner: Partner, handlers: WebhooksDep) -> EndpointOut:
    return _out(await handlers.enable(partner, endpoint_id))


@router.post(
    "/{endpoint_id}/pause",
    summary="Pause deliveries (they wait, queued, until it is enabled again)",
    responses={404: {"model": ErrorBody}},
)
async def pause(endpoint_id: EndpointId, partner: Partner, handlers: WebhooksDep) -> EndpointOut:
    return _out(await handlers.pause(partner, endpoint_id))


@router.post(
    "/{endpoint_id}/test",
    summary="Send a test delivery (`org.entraide.webhook.test.v1`), signed like the others",
    status_code=202,
    responses={404: {"model": ErrorBody}},
)
async def send_test(endpoint_id: EndpointId, partner: Partner, handlers: WebhooksDep) -> dict:
    return {"message_id": await handlers.send_test(partner, endpoint_id)}


@router.post(
    "/{endpoint_id}/rotate-secret",
    summary="Issue a new secret; the old one also signs during a grace period",
    responses={404: {"model": ErrorBody}},
)
async def rotate(endpoint_id: EndpointId, partner: Partner, handlers: WebhooksDep) -> SecretRotated:
    rotated = await handlers.rotate_secret(partner, endpoint_id)
    return SecretRotated(secret=rotated.secret, previous_valid_until=rotated.previous_valid_until)


@router.get(
    "/{endpoint_id}/deliveries",
    summary="Deliveries in order, from a cursor",
    responses={404: {"model": ErrorBody}},
)
async def deliveries(
    endpoint_id: EndpointId,
    partner: Partner,
    handlers: WebhooksDep,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DeliveryPage:
    items, next_cursor = await handlers.deliveries(partner, endpoint_id, after, limit)
    return DeliveryPage(
        items=[DeliveryOut(**{k: getattr(d, k) for k in DeliveryOut.model_fields}) for d in items],
        next_cursor=next_cursor,
    )


@router.post(
    "/{endpoint_id}/replay",
    summary="Send again every delivery after a cursor, or since a point in time",
    responses={404: {"model": ErrorBody}},
)
async def replay(
    endpoint_id: EndpointId, body: ReplayIn, partner: Partner, handlers: WebhooksDep
) -> Replayed:
    if (body.after is None) == (body.since is None):
        raise Invalid("give either `after` (a delivery's seq) or `since` (a time)", field="after")
    if body.since is not None:
        requeued = await handlers.replay_since(partner, endpoint_id, body.since)
    else:
        requeued = await handlers.replay(partner, endpoint_id, body.after or 0)
    return Replayed(requeued=requeued)
