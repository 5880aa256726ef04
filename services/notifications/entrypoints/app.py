"""The notifications service's FastAPI application; its lifespan runs the consumer,
the delivery worker and the digests."""

from __future__ import annotations

from fastapi import FastAPI

from services.notifications.bootstrap import NotificationsServices, bootstrap
from services.notifications.entrypoints import routes_inbox, routes_webhooks
from services.notifications.entrypoints.schemas import ErrorBody
from services.notifications.settings import NotificationsSettings
from shared.runtime.lifecycle import service_lifespan, use_services
from shared.runtime.web import install_common

COMMON_ERRORS = {
    413: {"model": ErrorBody, "description": "The body is over 64 KiB"},
    503: {"model": ErrorBody, "description": "A dependency is unavailable; see Retry-After"},
}


def create_app(
    settings: NotificationsSettings, services: NotificationsServices | None = None
) -> FastAPI:
    """With ``services`` given (tests), the caller owns their life; else the app does."""

    app = FastAPI(
        title="Entraide notifications",
        version="1.0.0",
        description="The member's inbox and preferences, and partner webhooks.",
        lifespan=service_lifespan(
            services, lambda: bootstrap(settings), lambda built: built.start_background()
        ),
    )
    if services is not None:
        use_services(app, services)

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
        await getattr(app.state.services, f"check_{name}")()

    return run
