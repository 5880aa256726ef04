"""The Entraide services as local processes (``entraide up`` / ``down``).

Each service runs detached, with its pid file and log under the data folder, and is
ready when its /readyz answers 200. ``--scale name=N`` runs N instances of a service
(instance k on the service's port + 10 (k - 1)); a supervisor process restarts any
instance that dies, and says so in its log and in ``entraide status``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError
from urllib.request import Request, urlopen

from prometheus_client.parser import text_string_to_metric_families

from ops.infra.errors import InfraError
from ops.infra.processes import log_tail, read_pid, start_detached, stop_pid
from shared.runtime.settings import PROJECT_ROOT, Settings, get_settings

SERVICE_READY_TIMEOUT_S = 60.0


def is_ready(url: str) -> bool:
    """Does the service at ``url`` answer 200 on /readyz?"""
    try:
        with urlopen(f"{url}/readyz", timeout=2) as response:
            return response.status == 200
    except (URLError, OSError):
        return False


def scrape(url: str, metric: str) -> float | None:
    """A Prometheus metric of the service at ``url`` (summed over its labels), or None."""
    token = get_settings().metrics_token
    request = Request(
        f"{url}/metrics", headers={"Authorization": f"Bearer {token}"} if token else {}
    )
    try:
        with urlopen(request, timeout=2) as response:
            text = response.read().decode()
    except (URLError, OSError):
        return None
    found = [s.value for family in text_string_to_metric_families(text)
             for s in family.samples if s.name == metric]  # fmt: skip
    return sum(found) if found else None


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


PORT_STEP_PER_INSTANCE = 10
SCALABLE = frozenset({"matching", "notifications", "gateway", "posts"})


@dataclass
class LocalService:
    spec: ServiceSpec
    home: Path
    instance: int = 1

    @property
    def name(self) -> str:
        return self.spec.name if self.instance == 1 else f"{self.spec.name}-{self.instance}"

    @property
    def port(self) -> int:
        return self.spec.port + PORT_STEP_PER_INSTANCE * (self.instance - 1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.home / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.home / f"{self.name}.log"

    def pid(self) -> int | None:
        return read_pid(self.pid_file)

    def launch(self) -> None:
        """Start the process if it is not running; do not wait."""
        self.home.mkdir(parents=True, exist_ok=True)
        if self.pid() is None:
            start_detached(
                [sys.executable, "-m", self.spec.module], self.log_file, self.pid_file,
                PROJECT_ROOT, env={"ENTRAIDE_HTTP_PORT": str(self.port),
                                   "ENTRAIDE_CONSUMER_INSTANCE_ID": self.name},
            )  # fmt: skip

    def start(self) -> None:
        self.launch()
        if not wait_until_ready(self.url, SERVICE_READY_TIMEOUT_S, lambda: self.pid() is not None):
            raise InfraError(
                f"{self.name} did not become ready at {self.url}:\n{log_tail(self.log_file)}",
                f"read {self.log_file}",
            )

    def ready(self) -> bool:
        return is_ready(self.url)

    def stop(self) -> None:
        pid = self.pid()
        if pid is not None:
            stop_pid(pid, grace_s=20)
        self.pid_file.unlink(missing_ok=True)


def scale_file(settings: Settings) -> Path:
    return settings.data_dir / "services" / "scale.json"


def local_services(settings: Settings, scale: dict[str, int] | None = None) -> list[LocalService]:
    """Every instance to run: ``scale`` (else the last one `entraide up` was given)."""
    if scale is None:
        try:
            scale = json.loads(scale_file(settings).read_text())
        except (FileNotFoundError, ValueError):
            scale = {}
    home = settings.data_dir / "services"
    return [
        LocalService(spec, home, instance)
        for spec in SERVICES
        for instance in range(1, scale.get(spec.name, 1) + 1)
    ]


def parse_scale(values: list[str]) -> dict[str, int]:
    """``["matching=2", "gateway=2"]`` -> {"matching": 2, "gateway": 2}."""
    scale = {}
    for value in values:
        name, _, count = value.partition("=")
        if name not in SCALABLE or not count.isdigit() or not 1 <= int(count) <= 9:
            raise InfraError(
                f"bad --scale {value!r}",
                f"use NAME=N with N from 1 to 9 and NAME one of {', '.join(sorted(SCALABLE))}",
            )
        scale[name] = int(count)
    return scale
