"""The bearer-token dependencies every HTTP service uses.

Each service verifies the posts service's access tokens itself with the public keys
(ADR 0005); the app keeps its TokenVerifier in ``app.state.verifier``.

The dependencies are ``async def`` although nothing in them awaits: FastAPI runs a plain
``def`` dependency in its thread pool, and three hops a request (token, member, the
handlers) cost the posts API more CPU than its SQL (bench/ingest).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.contract.errors import Forbidden, Unauthorized
from shared.runtime.auth import Claims, InvalidTokenError, Role

_bearer = HTTPBearer(auto_error=False, description="An access token from /auth/login")


async def _claims(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Claims | None:
    if credentials is None:
        return None
    try:
        claims = request.app.state.verifier.verify(credentials.credentials)
    except InvalidTokenError as exc:
        raise Unauthorized(f"invalid token: {exc}", field="authorization") from exc
    # A suspended member's token stops working everywhere at once (ADR 0020).
    revocations = getattr(request.app.state, "revocations", None)
    if revocations is not None and await revocations.revoked(claims.member_id):
        raise Unauthorized("this account is suspended", field="authorization", code="suspended")
    return claims


async def _required(claims: Annotated[Claims | None, Depends(_claims)]) -> Claims:
    if claims is None:
        raise Unauthorized("log in first: this needs an access token", field="authorization")
    return claims


async def _partner(claims: Annotated[Claims, Depends(_required)]) -> Claims:
    if claims.role is not Role.PARTNER:
        raise Forbidden("only a verified partner organisation may do this", field="role")
    return claims


Member = Annotated[Claims, Depends(_required)]
MaybeMember = Annotated[Claims | None, Depends(_claims)]
Partner = Annotated[Claims, Depends(_partner)]
