"""Run the notifications service: ``python -m services.notifications.entrypoints.main``.

One process runs the HTTP API, the consumer (a member of the consumer group: run more
processes to share the partitions), the webhook delivery worker and the digests.
"""

from __future__ import annotations

import uvicorn

from services.notifications.entrypoints.app import create_app
from services.notifications.settings import NotificationsSettings
from shared.runtime.logs import configure_logging


def main() -> None:
    settings = NotificationsSettings()
    configure_logging("notifications", settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
