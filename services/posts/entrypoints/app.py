"""The posts service's FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from services.posts.bootstrap import PostsWiring, bootstrap
from services.posts.entrypoints import routes_accounts, routes_posts
from services.posts.entrypoints.background import Background
from services.posts.settings import PostsSettings
from shared.runtime.lifecycle import service_lifespan, use_wiring
from shared.runtime.schemas import COMMON_ERRORS
from shared.runtime.web import install_common


class NoBackground:
    async def stop(self) -> None:
        pass


def create_app(settings: PostsSettings, wiring: PostsWiring | None = None) -> FastAPI:
    """With ``wiring`` given (tests), the caller owns its life; else the app does."""

    async def start(built: PostsWiring):
        return Background(built).start() if settings.run_relay else NoBackground()

    app = FastAPI(
        title="Entraide posts",
        version="1.0.0",
        description="Accounts, requests and offers, replies and the feed.",
        lifespan=service_lifespan(wiring, lambda: bootstrap(settings), start),
    )
    if wiring is not None:
        use_wiring(app, wiring)

    async def check_database() -> None:
        await app.state.wiring.check_database()

    async def check_kafka() -> None:
        await app.state.wiring.check_kafka()

    install_common(
        app,
        "posts",
        {"database": check_database, "kafka": check_kafka},
        web_origins=settings.web_origins,
    )
    for router in (routes_accounts.router, routes_posts.router):
        app.include_router(router, responses=COMMON_ERRORS)
    return app
