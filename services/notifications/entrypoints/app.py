"""The notifications service's FastAPI application; its lifespan runs the consumer,
the delivery worker and the digests."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.notifications.bootstrap import NotificationsServices, bootstrap
from services.notifications.entrypoints import routes_inbox, routes_webhooks
from services.notifications.entrypoints.schemas import ErrorBody
from services.notifications.settings import NotificationsSettings
from shared.web import install_common

COMMON_ERRORS = {
    413: {"model": ErrorBody, "description": "The body is over 64 KiB"},
    503: {"model": ErrorBody, "description": "A dependency is unavailable; see Retry-After"},
}


def create_app(
    settings: NotificationsSettings, services: NotificationsServices | None = None
) -> FastAPI:
    """With ``services`` given (tests), the caller owns their life; else the app does."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if services is not None:
            yield
            return
        built = await bootstrap(settings)
        app.state.services = built
        app.state.verifier = built.verifier
        await built.start_background()
        try:
            yield
        finally:
            await built.close()

    app = FastAPI(
        title="Entraide notifications",
        version="1.0.0",
        description="The member's inbox and preferences, and partner webhooks.",
        lifespan=lifespan,
    )
    if services is not None:
        app.state.services = services
        app.state.verifier = services.verifier

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
