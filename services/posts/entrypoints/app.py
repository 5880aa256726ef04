"""The posts service's FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from services.posts.bootstrap import PostsServices, bootstrap
from services.posts.entrypoints import routes_accounts, routes_posts
from services.posts.entrypoints.schemas import ErrorBody
from services.posts.settings import PostsSettings
from shared.lifecycle import service_lifespan, use_services
from shared.web import install_common

COMMON_ERRORS = {
    413: {"model": ErrorBody, "description": "The body is over 64 KiB"},
    503: {"model": ErrorBody, "description": "A dependency is unavailable; see Retry-After"},
}


def create_app(settings: PostsSettings, services: PostsServices | None = None) -> FastAPI:
    """With ``services`` given (tests), the caller owns their life; else the app does."""

    def start(built: PostsServices) -> None:
        if settings.run_relay:
            built.start_background()

    app = FastAPI(
        title="Entraide posts",
        version="1.0.0",
        description="Accounts, requests and offers, replies and the feed.",
        lifespan=service_lifespan(services, lambda: bootstrap(settings), start),
    )
    if services is not None:
        use_services(app, services)

    async def check_database() -> None:
        await app.state.services.check_database()

    async def check_kafka() -> None:
        await app.state.services.check_kafka()

    install_common(
        app,
        "posts",
        {"database": check_database, "kafka": check_kafka},
        web_origins=settings.web_origins,
    )
    for router in (routes_accounts.router, routes_posts.router):
        app.include_router(router, responses=COMMON_ERRORS)
    return app
