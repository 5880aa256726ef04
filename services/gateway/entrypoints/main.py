"""Run a gateway: ``python -m services.gateway.entrypoints.main``."""

from __future__ import annotations

import asyncio
import logging
import signal

from services.gateway.bootstrap import bootstrap
from services.gateway.entrypoints.reader import Reading
from services.gateway.entrypoints.server import GatewayServer, close_all
from services.gateway.settings import GatewaySettings
from shared.runtime.lifecycle import freeze_startup_objects
from shared.runtime.logs import configure_logging

log = logging.getLogger(__name__)


async def run(settings: GatewaySettings) -> None:
    gateway = await bootstrap(settings)
    reading = await Reading(gateway).start()
    server = await GatewayServer(gateway).serve(settings.http_host, settings.http_port)
    freeze_startup_objects()
    log.info("gateway listening on %s:%d", settings.http_host, settings.http_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await close_all(gateway)
    server.close()
    await server.wait_closed()
    await reading.stop()
    await gateway.close()


def main() -> None:
    settings = GatewaySettings()
    configure_logging("gateway", settings.log_level)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
