"""Typed dependencies of the routes (``async def``: see shared.web_auth on why)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.posts.bootstrap import PostsServices
from services.posts.handlers import Handlers
from services.posts.views import PostViews
from shared.web_auth import MaybeMember, Member

__all__ = ["HandlersDep", "MaybeMember", "Member", "ViewsDep"]


def services(request: Request) -> PostsServices:
    return request.app.state.services


async def _handlers(request: Request) -> Handlers:
    return services(request).handlers


async def _views(request: Request) -> PostViews:
    return services(request).views


HandlersDep = Annotated[Handlers, Depends(_handlers)]
ViewsDep = Annotated[PostViews, Depends(_views)]
