"""The posts service's FastAPI application."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.posts.bootstrap import PostsServices, bootstrap
from services.posts.entrypoints import routes_accounts, routes_posts
from services.posts.entrypoints.schemas import ErrorBody
from services.posts.settings import PostsSettings
from shared.web import install_common

COMMON_ERRORS = {
    413: {"model": ErrorBody, "description": "The body is over 64 KiB"},
    503: {"model": ErrorBody, "description": "A dependency is unavailable; see Retry-After"},
}


def create_app(settings: PostsSettings, services: PostsServices | None = None) -> FastAPI:
    """With ``services`` given (tests), the caller owns their life; else the app does."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if services is not None:
            yield
            return
        built = await bootstrap(settings)
        app.state.services = built
        app.state.verifier = built.verifier
        if settings.run_relay:
            built.start_background()
        try:
            yield
        finally:
            await built.close()

    app = FastAPI(
        title="Entraide posts",
        version="1.0.0",
        description="Accounts, requests and offers, replies and the feed.",
        lifespan=lifespan,
    )
    if services is not None:
        app.state.services = services
        app.state.verifier = services.verifier

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
