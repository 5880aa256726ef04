"""The notifications service's FastAPI application; its lifespan runs the consumer,
the delivery loop and the digests."""

from __future__ import annotations

from fastapi import FastAPI

from services.notifications.bootstrap import NotificationsWiring, bootstrap
from services.notifications.entrypoints import routes_inbox, routes_outcomes, routes_webhooks
from services.notifications.entrypoints.background import Background
from services.notifications.settings import NotificationsSettings
from shared.runtime.http import service_app


def create_app(
    settings: NotificationsSettings, wiring: NotificationsWiring | None = None
) -> FastAPI:
    """With ``wiring`` given (tests), the caller owns its life; else the app does."""

    async def start(built: NotificationsWiring) -> Background:
        return await Background(built).start()

    return service_app(
        service="notifications",
        title="Entraide notifications",
        description="The member's inbox and preferences, and partner webhooks.",
        settings=settings,
        wiring=wiring,
        build=lambda: bootstrap(settings),
        start=start,
        checks=("database", "kafka", "redis", "consumer"),
        routers=(routes_inbox.router, routes_webhooks.router, routes_outcomes.router),
    )
