"""Typed dependencies of the routes (``async def``: see shared.runtime.web_auth on why)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.posts.handlers import ConversationHandlers, Handlers
from shared.runtime.web_auth import MaybeMember, Member

__all__ = ["ConversationsDep", "HandlersDep", "MaybeMember", "Member"]


async def _handlers(request: Request) -> Handlers:
    return request.app.state.wiring.handlers


HandlersDep = Annotated[Handlers, Depends(_handlers)]


async def _conversations(request: Request) -> ConversationHandlers:
    return request.app.state.wiring.conversations


ConversationsDep = Annotated[ConversationHandlers, Depends(_conversations)]
