"""Run the notifications service: ``python -m services.notifications.entrypoints.main``.

One process runs the HTTP API, the consumer (a member of the consumer group: run more
processes to share the partitions), the webhook delivery loop and the digests.
"""

from __future__ import annotations

from fastapi import FastAPI

from services.notifications.entrypoints.app import create_app
from services.notifications.settings import NotificationsSettings
from shared.runtime.http import serve
from shared.runtime.logs import configure_logging


def app_factory() -> FastAPI:
    settings = NotificationsSettings()
    configure_logging("notifications", settings.log_level)
    return create_app(settings)


def main() -> None:
    serve(f"{__name__}:app_factory", NotificationsSettings(), "notifications")


if __name__ == "__main__":
    main()
