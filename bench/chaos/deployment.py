"""A whole Entraide of its own, as an operator runs it on one machine: `entraide up` in a
data folder of its own (its Kafka, PostgreSQL and Redis, every service, and the
supervisor that restarts what dies), killed one process at a time with -9."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from aiokafka.admin import AIOKafkaAdminClient

from ops.infra import LocalInfra
from ops.local import SERVICES, local_services
from shared.contract.catalogue import POSTS
from shared.runtime.auth import KeyRing
from shared.runtime.settings import PROJECT_ROOT, Settings

ENTRAIDE = [sys.executable, "-m", "ops.cli"]
UP_TIMEOUT_S = 600
SERVICE_NAMES = tuple(spec.name for spec in SERVICES)
SERVERS = ("kafka", "postgres", "redis")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class Deployment:
    def __init__(self, home: Path, brokers: int) -> None:
        self.home = home
        self.settings = Settings(data_dir=home, kafka_brokers=brokers)
        self.env = {
            **os.environ,
            "ENTRAIDE_DATA_DIR": str(home),
            "ENTRAIDE_KAFKA_BROKERS": str(brokers),
            # The load is many posts from few members: no limit in the way.
            "ENTRAIDE_POSTS_PER_HOUR": "100000000",
            "ENTRAIDE_REGISTRATIONS_PER_ADDRESS": "100000000",
            "ENTRAIDE_REGISTRATIONS_PER_MINUTE": "100000000",
            # Two API workers sharing the port, as in production behind a balancer: the
            # posts fault kills one, and the other serves meanwhile.
            "ENTRAIDE_HTTP_WORKERS": "2",
        }
        self.infra = LocalInfra(self.settings)

    def up(self) -> None:
        subprocess.run([*ENTRAIDE, "up"], env=self.env, cwd=PROJECT_ROOT, check=True,
                       timeout=UP_TIMEOUT_S, stdout=subprocess.DEVNULL)  # fmt: skip

    def down(self) -> None:
        subprocess.run([*ENTRAIDE, "down"], env=self.env, cwd=PROJECT_ROOT, check=False,
                       timeout=UP_TIMEOUT_S, stdout=subprocess.DEVNULL)  # fmt: skip

    def url(self, service: str) -> str:
        return next(s.url for s in local_services(self.settings) if s.name == service)

    def token(self, member_id: str) -> str:
        from shared.contract.identity import Role

        return KeyRing(self.home / "keys").signer().issue(member_id, Role.MEMBER, ttl_s=7200)

    def pid(self, target: str) -> int | None:
        for server in self.infra.servers():
            if server.name == target:
                return server.pid()
        return next((s.pid() for s in local_services(self.settings) if s.name == target), None)

    async def leader_broker(self) -> str:
        """The broker that leads posts.v1's partition 0 (with three brokers)."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.settings.kafka_bootstrap)
        await admin.start()
        try:
            [topic] = await admin.describe_topics([POSTS.name])
            leader = next(p["leader"] for p in topic["partitions"] if p["partition"] == 0)
        finally:
            await admin.close()
        return "kafka" if leader == 1 else f"kafka-{leader}"

    def kill(self, target: str) -> int:
        """kill -9 of the target; for posts, of one of its API workers."""
        pid = self.pid(target)
        if pid is None:
            raise RuntimeError(f"{target} is not running")
        if target == "posts":
            pid = min(children(pid))
        os.kill(pid, signal.SIGKILL)
        return pid

    def ready(self, service: str) -> bool:
        try:
            with urlopen(f"{self.url(service)}/readyz", timeout=2) as response:
                return response.status == 200
        except (URLError, OSError):
            return False

    async def wait_ready(self, service: str, since_pid: int, timeout_s: float) -> float | None:
        """Seconds until a new process of ``service`` answers ready, or None."""
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            pid = self.pid(service)
            if (
                pid is not None
                and pid != since_pid
                and await asyncio.to_thread(self.ready, service)
            ):
                return time.monotonic() - started
            await asyncio.sleep(0.2)
        return None
