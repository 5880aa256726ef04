"""`entraide up`'s supervisor: restarts any service instance or server that dies, and
says so.

A detached process (``entraide supervise``) that checks each server's pid (Kafka's
brokers, PostgreSQL, Redis) and each instance's every ``CHECK_INTERVAL_S``; a dead one
is started again, the restart is written to its log and counted in ``restarts.json``
(shown by ``entraide status``). Servers first: a service restarted while its database
is down would only fail its readiness until the database is back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from pathlib import Path

from ops.infra import LocalInfra
from ops.infra.errors import InfraError
from ops.infra.processes import read_pid, start_detached, stop_pid
from ops.local import local_services
from shared.runtime.settings import PROJECT_ROOT, Settings

log = logging.getLogger("entraide.supervisor")

# Reading a few pid files: cheap, and a dead process waits at most this to restart.
CHECK_INTERVAL_S = 0.5


def home(settings: Settings) -> Path:
    return settings.data_dir / "services"


def restarts_file(settings: Settings) -> Path:
    return home(settings) / "restarts.json"


def restarts(settings: Settings) -> dict[str, int]:
    try:
        return json.loads(restarts_file(settings).read_text())
    except (FileNotFoundError, ValueError):
        return {}


def supervise(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    counts = restarts(settings)
    infra = LocalInfra(settings)

    def restarted(name: str) -> None:
        counts[name] = counts.get(name, 0) + 1
        restarts_file(settings).write_text(json.dumps(counts))

    while True:
        for server in infra.servers():
            if server.pid() is None:
                log.warning("%s had stopped: restarting it", server.name)
                try:
                    asyncio.run(server.start())
                except InfraError as exc:  # tried again at the next check
                    log.error("%s did not start again: %s", server.name, exc)
                restarted(server.name)
        for service in local_services(settings):
            if service.pid() is None:
                log.warning("%s had stopped: restarting it", service.name)
                service.launch()
                restarted(service.name)
        time.sleep(CHECK_INTERVAL_S)


def pid_file(settings: Settings) -> Path:
    return home(settings) / "supervisor.pid"


def start(settings: Settings) -> None:
    if read_pid(pid_file(settings)) is None:
        start_detached(
            [sys.executable, "-m", "ops.cli", "supervise"],
            home(settings) / "supervisor.log", pid_file(settings), PROJECT_ROOT,
        )  # fmt: skip


def stop(settings: Settings) -> None:
    pid = read_pid(pid_file(settings))
    if pid is not None:
        stop_pid(pid, grace_s=5)
    pid_file(settings).unlink(missing_ok=True)
