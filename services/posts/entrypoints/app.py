"""The posts service's FastAPI application."""

from __future__ import annotations

import re

from fastapi import FastAPI

from services.posts.bootstrap import PostsWiring, bootstrap
from services.posts.domain.photos import MAX_UPLOAD_BYTES
from services.posts.entrypoints import (
    routes_accounts,
    routes_conversations,
    routes_moderation,
    routes_posts,
)
from services.posts.entrypoints.background import Background, NoBackground
from services.posts.settings import PostsSettings
from shared.runtime.http import service_app

# A photo's upload: the image (10 MiB) and the multipart envelope around it.
PHOTO_UPLOAD = (re.compile(r"^/posts/[^/]+/photos$"), MAX_UPLOAD_BYTES + 64 * 1024)


def create_app(settings: PostsSettings, wiring: PostsWiring | None = None) -> FastAPI:
    """With ``wiring`` given (tests), the caller owns its life; else the app does."""

    async def start(built: PostsWiring) -> Background | NoBackground:
        return Background(built).start() if settings.run_relay else NoBackground()

    return service_app(
        service="posts",
        title="Entraide posts",
        description="Accounts, requests and offers, replies and the feed.",
        settings=settings,
        wiring=wiring,
        build=lambda: bootstrap(settings),
        start=start,
        checks=("database", "kafka", "redis", "relay"),
        routers=(
            routes_accounts.router,
            routes_posts.router,
            routes_conversations.router,
            routes_moderation.router,
        ),
        uploads=(PHOTO_UPLOAD,),
    )
