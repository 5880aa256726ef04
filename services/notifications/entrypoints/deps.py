"""Typed dependencies of the routes (``async def``: see shared.runtime.web_auth on why)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.notifications.bootstrap import NotificationsServices


async def _services(request: Request) -> NotificationsServices:
    return request.app.state.services


Services = Annotated[NotificationsServices, Depends(_services)]
