"""Typed dependencies of the routes (``async def``: see shared.runtime.web_auth on why):
each route gets the handlers of its callers, never the whole wiring."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.notifications.handlers import InboxHandlers, WebhookHandlers


async def _inbox(request: Request) -> InboxHandlers:
    return request.app.state.wiring.inbox


async def _webhooks(request: Request) -> WebhookHandlers:
    return request.app.state.wiring.webhooks


InboxDep = Annotated[InboxHandlers, Depends(_inbox)]
WebhooksDep = Annotated[WebhookHandlers, Depends(_webhooks)]
