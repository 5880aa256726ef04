"""Accounts and sessions: register, log in, renew, log out, the member's own profile.

A session is an access token (15 minutes, in the response) and a refresh token in an
HttpOnly cookie scoped to the /auth routes (30 days, rotated at each renewal): scripts never read
it, and only the renewal and log-out routes ever receive it (docs/adr/0016).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Cookie, Request, Response

from services.posts.domain.accounts import Account, Profile
from services.posts.entrypoints.deps import HandlersDep, MailDep, Member, PathId, client_of
from services.posts.entrypoints.schemas import (
    AccountPrivate,
    LinkToken,
    LoginRequest,
    PasswordChange,
    PasswordReset,
    PointIn,
    ProfileUpdate,
    PublicProfile,
    RegisterRequest,
    ResetRequest,
    TokenResponse,
)
from services.posts.handlers import Granted
from services.posts.settings import PostsSettings
from shared.contract.values import Point
from shared.runtime.schemas import ErrorBody

router = APIRouter(tags=["accounts"])

REFRESH_COOKIE = "entraide_refresh"
SESSION_OVER = {401: {"model": ErrorBody, "description": "No session, or it is over"}}
RefreshCookie = Annotated[
    str | None, Cookie(alias=REFRESH_COOKIE, max_length=128, include_in_schema=False)
]


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
        bio=p.bio,
        email_verified=account.email_verified_at is not None,
    )


def _point(point: PointIn | None) -> Point | None:
    return point.point() if point else None


def _settings(request: Request) -> PostsSettings:
    return request.app.state.wiring.settings


def _session(granted: Granted, request: Request, response: Response) -> TokenResponse:
    """The access token in the body, the refresh token in its cookie."""
    settings = _settings(request)
    response.set_cookie(
        REFRESH_COOKIE,
        granted.refresh_token,
        max_age=granted.refresh_expires_in_s,
        path=settings.session_cookie_path,
        httponly=True,
        samesite="strict",
        secure=settings.session_cookie_secure,
    )
    response.headers["Cache-Control"] = "no-store"
    return TokenResponse(
        access_token=granted.access_token,
        expires_in=granted.expires_in_s,
        account=account_view(granted.account),
    )


@router.post(
    "/auth/register",
    status_code=201,
    response_model=AccountPrivate,
    responses={
        409: {"model": ErrorBody, "description": "The e-mail is taken"},
        429: {"model": ErrorBody, "description": "Too many new accounts (`registrations_limited`)"},
    },
)
async def register(
    body: RegisterRequest, request: Request, handlers: HandlersDep, mail: MailDep
) -> AccountPrivate:
    """A new account; a link to confirm the address is mailed to it."""
    profile = Profile(
        display_name=body.display_name,
        languages=body.languages,
        interests=body.interests,
        home=_point(body.home),
        alert_radius_m=body.alert_radius_m,
        urgent_alerts_consent=body.urgent_alerts_consent,
    )
    account = await handlers.register(body.email, body.password, profile, client_of(request))
    await mail.welcome(account)
    return account_view(account)


@router.post(
    "/auth/login",
    response_model=TokenResponse,
    responses={
        401: {"model": ErrorBody, "description": "Wrong e-mail or password"},
        429: {"model": ErrorBody, "description": "Too many attempts from this address"},
    },
)
async def log_in(
    body: LoginRequest, request: Request, response: Response, handlers: HandlersDep
) -> TokenResponse:
    """A new session: the access token here, the refresh token in an HttpOnly cookie."""
    granted = await handlers.log_in(body.email, body.password, client_of(request))
    return _session(granted, request, response)


@router.post("/auth/refresh", response_model=TokenResponse, responses=SESSION_OVER)
async def refresh(
    request: Request, response: Response, handlers: HandlersDep, token: RefreshCookie = None
) -> TokenResponse:
    """A new access token for the session in the cookie, which is rotated: each refresh
    token works once, and a second use ends the session everywhere."""
    return _session(await handlers.refresh(token), request, response)


@router.post("/auth/logout", status_code=204)
async def log_out(request: Request, handlers: HandlersDep, token: RefreshCookie = None) -> Response:
    """End this device's session (the access token still works until it expires)."""
    await handlers.log_out(token)
    response = Response(status_code=204)
    response.delete_cookie(REFRESH_COOKIE, path=_settings(request).session_cookie_path)
    return response


@router.get("/me", response_model=AccountPrivate, responses=SESSION_OVER)
async def me(member: Member, handlers: HandlersDep) -> AccountPrivate:
    """The member's own account (her e-mail, whether it is confirmed, her settings)."""
    return account_view(await handlers.account(member))


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


@router.get(
    "/members/{member_id}",
    response_model=PublicProfile,
    responses={404: {"model": ErrorBody, "description": "No such member"}},
)
async def member_profile(member_id: PathId, handlers: HandlersDep) -> PublicProfile:
    """A member's public profile: anyone may read it."""
    return PublicProfile(**await handlers.member_profile(member_id))


@router.post(
    "/me/password",
    response_model=TokenResponse,
    responses={
        401: {"model": ErrorBody, "description": "No valid access token"},
        422: {"description": "The current password is wrong (`wrong_password`), or the new "
              "one is invalid"},
        429: {"model": ErrorBody, "description": "Too many wrong current passwords; see "
                                                 "Retry-After"},
    },
)  # fmt: skip
async def change_password(
    body: PasswordChange,
    member: Member,
    request: Request,
    response: Response,
    handlers: HandlersDep,
) -> TokenResponse:
    """Every session of the account ends; this device gets a new one."""
    granted = await handlers.change_password(member, body.current_password, body.new_password)
    return _session(granted, request, response)


# Mail: e-mail verification and password reset ------------------------------------------
MAIL_DOWN = {503: {"model": ErrorBody, "description": "The mail server is unavailable; retry"}}
MAILS_LIMITED = {
    429: {"model": ErrorBody, "description": "At most 5 mails an hour; see Retry-After"}
}
LINK_EXPIRED = {422: {"model": ErrorBody, "description": "`link_expired`, or a field"}}


@router.post(
    "/me/email/verification",
    status_code=204,
    responses={**MAIL_DOWN, **SESSION_OVER, **MAILS_LIMITED},
)
async def send_verification(member: Member, mail: MailDep) -> Response:
    """Mail a new link to confirm the member's address (at most 5 an hour)."""
    await mail.send_verification(member)
    return Response(status_code=204)


@router.post("/auth/verify-email", status_code=204, responses=LINK_EXPIRED)
async def verify_email(body: LinkToken, mail: MailDep) -> Response:
    """The link of the verification mail was opened."""
    await mail.verify_email(body.token)
    return Response(status_code=204)


@router.post(
    "/auth/password-reset/request",
    status_code=202,
    response_class=Response,
    responses={**MAIL_DOWN, **MAILS_LIMITED, 202: {"description": "Accepted; no body"}},
)
async def request_reset(
    body: ResetRequest, request: Request, mail: MailDep, after: BackgroundTasks
) -> Response:
    """Mail a link to choose a new password, if the address is a member's: the answer is
    the same either way (202), and comes before any mail is sent."""
    after.add_task(await mail.request_reset(body.email, client_of(request)))
    return Response(status_code=202)


@router.post("/auth/password-reset", status_code=204, responses=LINK_EXPIRED)
async def reset_password(body: PasswordReset, mail: MailDep) -> Response:
    """A new password from the mailed link: every session of the account ends."""
    await mail.reset_password(body.token, body.new_password)
    return Response(status_code=204)
