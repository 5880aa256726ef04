"""Typed dependencies of the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.posts.bootstrap import PostsServices
from services.posts.domain.errors import Unauthorized
from services.posts.handlers import Handlers
from services.posts.views import PostViews
from shared.auth import Claims, InvalidTokenError

_bearer = HTTPBearer(auto_error=False, description="An access token from /auth/login")


def services(request: Request) -> PostsServices:
    return request.app.state.services


def _claims(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Claims | None:
    if credentials is None:
        return None
    try:
        return services(request).verifier.verify(credentials.credentials)
    except InvalidTokenError as exc:
        raise Unauthorized(f"invalid token: {exc}", field="authorization") from exc


def _required(claims: Annotated[Claims | None, Depends(_claims)]) -> Claims:
    if claims is None:
        raise Unauthorized("log in first: this needs an access token", field="authorization")
    return claims


def _handlers(request: Request) -> Handlers:
    return services(request).handlers


def _views(request: Request) -> PostViews:
    return services(request).views


Member = Annotated[Claims, Depends(_required)]
MaybeMember = Annotated[Claims | None, Depends(_claims)]
HandlersDep = Annotated[Handlers, Depends(_handlers)]
ViewsDep = Annotated[PostViews, Depends(_views)]
