"""Run the posts API: ``python -m services.posts.entrypoints.main``."""

from __future__ import annotations

import uvicorn

from services.posts.entrypoints.app import create_app
from services.posts.settings import PostsSettings
from shared.logs import configure_logging


def main() -> None:
    settings = PostsSettings()
    configure_logging("posts")
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
