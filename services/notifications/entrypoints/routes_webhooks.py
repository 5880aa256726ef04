"""Partner webhook endpoints: register, list, rotate the secret, deliveries, replay."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from ulid import ULID

from services.notifications.adapters.webhook_sender import address_problem
from services.notifications.adapters.webhook_store import Endpoint
from services.notifications.domain.webhooks import WebhookFilter
from services.notifications.entrypoints.deps import Services
from services.notifications.entrypoints.schemas import (
    AreaIn,
    DeliveryOut,
    DeliveryPage,
    EndpointCreated,
    EndpointIn,
    EndpointOut,
    ErrorBody,
    FiltersIn,
    Replayed,
    ReplayIn,
    SecretRotated,
)
from shared.contract.errors import Forbidden, Invalid, NotFound
from shared.contract.values import Id, Point
from shared.runtime.auth import Claims
from shared.runtime.web_auth import Partner

SECRET_BYTES = 32

router = APIRouter(
    prefix="/v1/webhooks",
    tags=["webhooks"],
    responses={
        401: {"model": ErrorBody, "description": "No or an invalid access token"},
        403: {"model": ErrorBody, "description": "Not a partner, or not this partner's"},
    },
)
EndpointId = Annotated[Id, Path(description="The endpoint's id")]


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


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


async def _own(services, partner: Claims, endpoint_id: str) -> Endpoint:
    endpoint = await services.webhooks.endpoint(endpoint_id)
    if endpoint is None:
        raise NotFound("no such endpoint", field="endpoint_id")
    if endpoint.partner_id != partner.member_id:
        raise Forbidden("this endpoint belongs to another partner", field="endpoint_id")
    return endpoint


@router.post(
    "",
    status_code=201,
    summary="Register an endpoint",
    description="Deliveries follow Standard Webhooks (webhook-id, webhook-timestamp, "
    "webhook-signature). The secret is shown once. Addresses that resolve to private "
    "or loopback ranges are refused.",
    responses={422: {"model": ErrorBody, "description": "Invalid filters or address"}},
)
async def register(body: EndpointIn, partner: Partner, services: Services) -> EndpointCreated:
    problem = await address_problem(body.url, services.settings.allow_private_webhooks)
    if problem:
        raise Invalid(problem, field="url")
    f = body.filters
    endpoint = Endpoint(
        id=str(ULID()),
        partner_id=partner.member_id,
        url=body.url,
        description=body.description,
        secret=new_secret(),
        previous_secret=None,
        previous_until=None,
        filter=WebhookFilter(
            categories=frozenset(f.categories),
            kinds=frozenset(f.kinds),
            area=Point(lat=f.area.lat, lon=f.area.lon) if f.area else None,
            area_radius_m=f.area.radius_m if f.area else None,
            urgent_only=f.urgent_only,
        ),
        enabled=True,
        disabled_reason=None,
        created_at=datetime.now(UTC),
    )
    await services.webhooks.add_endpoint(endpoint)
    return EndpointCreated(**_out(endpoint).model_dump(), secret=endpoint.secret)


@router.get("", summary="The partner's endpoints")
async def list_endpoints(partner: Partner, services: Services) -> list[EndpointOut]:
    return [_out(e) for e in await services.webhooks.endpoints_of(partner.member_id)]


@router.get("/{endpoint_id}", summary="One endpoint", responses={404: {"model": ErrorBody}})
async def get_endpoint(
    endpoint_id: EndpointId, partner: Partner, services: Services
) -> EndpointOut:
    return _out(await _own(services, partner, endpoint_id))


@router.delete("/{endpoint_id}", status_code=204, responses={404: {"model": ErrorBody}})
async def delete_endpoint(endpoint_id: EndpointId, partner: Partner, services: Services):
    await _own(services, partner, endpoint_id)
    await services.webhooks.delete_endpoint(endpoint_id)
    return Response(status_code=204)


@router.post(
    "/{endpoint_id}/enable",
    summary="Enable again (after a 410 disabled it)",
    responses={404: {"model": ErrorBody}},
)
async def enable(endpoint_id: EndpointId, partner: Partner, services: Services) -> EndpointOut:
    await _own(services, partner, endpoint_id)
    await services.webhooks.set_enabled(endpoint_id, True, None)
    services.deliveries.wake()
    return _out(await _own(services, partner, endpoint_id))


@router.post(
    "/{endpoint_id}/rotate-secret",
    summary="Issue a new secret; the old one also signs during a grace period",
    responses={404: {"model": ErrorBody}},
)
async def rotate(endpoint_id: EndpointId, partner: Partner, services: Services) -> SecretRotated:
    await _own(services, partner, endpoint_id)
    secret = new_secret()
    until = datetime.now(UTC) + timedelta(seconds=services.settings.webhook_secret_grace_s)
    await services.webhooks.rotate_secret(endpoint_id, secret, until)
    return SecretRotated(secret=secret, previous_valid_until=until)


@router.get(
    "/{endpoint_id}/deliveries",
    summary="Deliveries in order, from a cursor",
    responses={404: {"model": ErrorBody}},
)
async def deliveries(
    endpoint_id: EndpointId,
    partner: Partner,
    services: Services,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DeliveryPage:
    await _own(services, partner, endpoint_id)
    items = await services.webhooks.deliveries(endpoint_id, after, limit)
    return DeliveryPage(
        items=[DeliveryOut(**{k: getattr(d, k) for k in DeliveryOut.model_fields}) for d in items],
        next_cursor=items[-1].seq if len(items) == limit else None,
    )


@router.post(
    "/{endpoint_id}/replay",
    summary="Send again every delivery after a cursor",
    responses={404: {"model": ErrorBody}},
)
async def replay(
    endpoint_id: EndpointId, body: ReplayIn, partner: Partner, services: Services
) -> Replayed:
    await _own(services, partner, endpoint_id)
    requeued = await services.webhooks.replay(endpoint_id, body.after, datetime.now(UTC))
    services.deliveries.wake()
    return Replayed(requeued=requeued)
