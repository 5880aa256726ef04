"""Typed dependencies of the routes (``async def``: see shared.runtime.web_auth on why)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from services.posts.handlers import (
    ConversationHandlers,
    Handlers,
    MailHandlers,
    ModerationHandlers,
)
from shared.runtime.web import client_address
from shared.runtime.web_auth import MaybeMember, Member

__all__ = [
    "ConversationsDep",
    "HandlersDep",
    "MailDep",
    "MaybeMember",
    "Member",
    "PathId",
    "client_of",
]

# Every id in a path (a post, a conversation, a member): letters, digits, - and _, as
# the ids are. Anything else (a NUL byte, a lone surrogate) is a 422 naming the field,
# never a query PostgreSQL refuses with a 500.
PathId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_-]+$")]


async def _handlers(request: Request) -> Handlers:
    return request.app.state.wiring.handlers


HandlersDep = Annotated[Handlers, Depends(_handlers)]


async def _conversations(request: Request) -> ConversationHandlers:
    return request.app.state.wiring.conversations


ConversationsDep = Annotated[ConversationHandlers, Depends(_conversations)]


async def _mail(request: Request) -> MailHandlers:
    return request.app.state.wiring.mail


MailDep = Annotated[MailHandlers, Depends(_mail)]


async def _moderation(request: Request) -> ModerationHandlers:
    return request.app.state.wiring.moderation


ModerationDep = Annotated[ModerationHandlers, Depends(_moderation)]


def client_of(request: Request) -> str:
    """Who is asking, for the limits and reports: the peer, or what a trusted proxy says
    it is (never a client's own X-Forwarded-For)."""
    return client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        request.app.state.wiring.settings.trusted_proxies,
    )
