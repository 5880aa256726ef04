"""Run the posts API: ``python -m services.posts.entrypoints.main``.

``ENTRAIDE_HTTP_WORKERS`` processes share the port; each runs its own relay and
expiry sweep, which is safe (see adapters/outbox.py) and spreads the relay's work.
"""

from __future__ import annotations

from fastapi import FastAPI

from services.posts.entrypoints.app import create_app
from services.posts.settings import PostsSettings
from shared.runtime.http import serve
from shared.runtime.logs import configure_logging


def app_factory() -> FastAPI:
    settings = PostsSettings()
    configure_logging("posts", settings.log_level)
    return create_app(settings)


def main() -> None:
    settings = PostsSettings()
    serve(f"{__name__}:app_factory", settings, "posts", settings.http_workers)


if __name__ == "__main__":
    main()
