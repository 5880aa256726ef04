"""The Entraide services as local processes (``entraide up`` / ``down``).

Each service runs detached, with its pid file and log under the data folder, and is
ready when its /readyz answers 200. Issue 7 extends this to every service, scaling
and restarts; today it runs the services that exist.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from shared.infra.errors import InfraError
from shared.infra.processes import log_tail, read_pid, start_detached, stop_pid
from shared.settings import PROJECT_ROOT, Settings

SERVICE_READY_TIMEOUT_S = 60.0


def is_ready(url: str) -> bool:
    """Does the service at ``url`` answer 200 on /readyz?"""
    try:
        with urlopen(f"{url}/readyz", timeout=2) as response:
            return response.status == 200
    except (URLError, OSError):
        return False


def wait_until_ready(
    url: str, timeout_s: float, still_running: Callable[[], bool] = lambda: True
) -> bool:
    """Poll /readyz until it answers 200 (True), or the process dies or time runs out."""
    deadline = time.monotonic() + timeout_s
    while not is_ready(url):
        if not still_running() or time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str
    port: int
    # What a person opens there: the API's documentation, or the web client.
    front_path: str = "/docs"


SERVICES = (
    ServiceSpec("posts", "services.posts.entrypoints.main", 18001),
    ServiceSpec("matching", "services.matching.entrypoints.worker", 18002, front_path="/readyz"),
    ServiceSpec("notifications", "services.notifications.entrypoints.main", 18003),
    ServiceSpec("gateway", "services.gateway.entrypoints.main", 18004, front_path="/"),
)


@dataclass
class LocalService:
    spec: ServiceSpec
    home: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.spec.port}"

    @property
    def pid_file(self) -> Path:
        return self.home / f"{self.spec.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.home / f"{self.spec.name}.log"

    def pid(self) -> int | None:
        return read_pid(self.pid_file)

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        if self.pid() is None:
            start_detached(
                [sys.executable, "-m", self.spec.module], self.log_file, self.pid_file, PROJECT_ROOT
            )
        if not wait_until_ready(self.url, SERVICE_READY_TIMEOUT_S, lambda: self.pid() is not None):
            raise InfraError(
                f"{self.spec.name} did not become ready at {self.url}:\n{log_tail(self.log_file)}",
                f"read {self.log_file}",
            )

    def ready(self) -> bool:
        return is_ready(self.url)

    def stop(self) -> None:
        pid = self.pid()
        if pid is not None:
            stop_pid(pid, grace_s=20)
        self.pid_file.unlink(missing_ok=True)


def local_services(settings: Settings) -> list[LocalService]:
    return [LocalService(spec, settings.data_dir / "services") for spec in SERVICES]
