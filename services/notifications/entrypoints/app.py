"""The notifications service's FastAPI application; its lifespan runs the consumer,
the delivery loop and the digests."""

from __future__ import annotations

from fastapi import FastAPI

from services.notifications.bootstrap import NotificationsWiring, bootstrap
from services.notifications.entrypoints import routes_inbox, routes_webhooks
from services.notifications.entrypoints.background import Background
from services.notifications.settings import NotificationsSettings
from shared.runtime.lifecycle import service_lifespan, use_wiring
from shared.runtime.schemas import COMMON_ERRORS
from shared.runtime.web import install_common


def create_app(
    settings: NotificationsSettings, wiring: NotificationsWiring | None = None
) -> FastAPI:
    """With ``wiring`` given (tests), the caller owns its life; else the app does."""

    async def start(built: NotificationsWiring) -> Background:
        return await Background(built).start()

    app = FastAPI(
        title="Entraide notifications",
        version="1.0.0",
        description="The member's inbox and preferences, and partner webhooks.",
        lifespan=service_lifespan(wiring, lambda: bootstrap(settings), start),
    )
    if wiring is not None:
        use_wiring(app, wiring)

    install_common(
        app,
        "notifications",
        {name: _check(app, name) for name in ("database", "kafka", "redis")},
        web_origins=settings.web_origins,
    )
    for router in (routes_inbox.router, routes_webhooks.router):
        app.include_router(router, responses=COMMON_ERRORS)
    return app


def _check(app: FastAPI, name: str):
    async def run() -> None:
        await getattr(app.state.wiring, f"check_{name}")()

    return run
