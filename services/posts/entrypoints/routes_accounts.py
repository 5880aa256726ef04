"""Accounts: register, log in, the member's own profile."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.posts.domain.accounts import Account, Profile
from services.posts.entrypoints.deps import HandlersDep, Member
from services.posts.entrypoints.schemas import (
    AccountPrivate,
    LoginRequest,
    PointIn,
    ProfileUpdate,
    RegisterRequest,
    TokenResponse,
)
from shared.contract.values import Point
from shared.runtime.auth import ACCESS_TOKEN_TTL_S
from shared.runtime.schemas import ErrorBody

router = APIRouter(tags=["accounts"])


def account_view(account: Account) -> AccountPrivate:
    p = account.profile
    return AccountPrivate(
        id=account.id,
        email=account.email,
        role=account.role,
        display_name=p.display_name,
        languages=p.languages,
        interests=p.interests,
        home=PointIn(lat=p.home.lat, lon=p.home.lon) if p.home else None,
        alert_radius_m=p.alert_radius_m,
        urgent_alerts_consent=p.urgent_alerts_consent,
    )


def _point(point: PointIn | None) -> Point | None:
    return point.point() if point else None


@router.post(
    "/auth/register",
    status_code=201,
    response_model=AccountPrivate,
    responses={409: {"model": ErrorBody, "description": "The e-mail is taken"}},
)
async def register(body: RegisterRequest, handlers: HandlersDep) -> AccountPrivate:
    profile = Profile(
        display_name=body.display_name,
        languages=body.languages,
        interests=body.interests,
        home=_point(body.home),
        alert_radius_m=body.alert_radius_m,
        urgent_alerts_consent=body.urgent_alerts_consent,
    )
    return account_view(await handlers.register(body.email, body.password, profile))


@router.post(
    "/auth/login",
    response_model=TokenResponse,
    responses={
        401: {"model": ErrorBody, "description": "Wrong e-mail or password"},
        429: {"model": ErrorBody, "description": "Too many attempts from this address"},
    },
)
async def log_in(body: LoginRequest, request: Request, handlers: HandlersDep) -> TokenResponse:
    address = request.client.host if request.client else "unknown"
    token, account = await handlers.log_in(body.email, body.password, address)
    return TokenResponse(
        access_token=token, expires_in=ACCESS_TOKEN_TTL_S, account=account_view(account)
    )


@router.patch(
    "/me",
    response_model=AccountPrivate,
    responses={401: {"model": ErrorBody, "description": "No valid access token"}},
)
async def update_me(body: ProfileUpdate, member: Member, handlers: HandlersDep) -> AccountPrivate:
    changes = body.model_dump(exclude_unset=True)
    if "home" in changes:
        changes["home"] = _point(body.home)
    return account_view(await handlers.update_profile(member, changes))
