"""Redis from Debian's ``redis-server``, on our own port, with an append-only file."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from ops.infra.errors import InfraError
from ops.infra.processes import log_tail, read_pid, run, stop_pid

REDIS_READY_TIMEOUT_S = 30.0


@dataclass
class RedisServer:
    home: Path
    port: int
    name = "redis"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid_file(self) -> Path:
        return self.home / "redis.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "redis.log"

    def pid(self) -> int | None:
        return read_pid(self.pid_file)

    async def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        if self.pid() is None:
            run(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--daemonize",
                    "yes",
                    "--pidfile",
                    str(self.pid_file),
                    "--logfile",
                    str(self.log_file),
                    "--dir",
                    str(self.home),
                    "--appendonly",
                    "yes",
                    "--save",
                    "",
                ],
                f"redis-server did not start on port {self.port}:\n{log_tail(self.log_file)}",
                f"read {self.log_file}; if the port is taken, stop what holds it",
            )
        await self.wait_ready()

    async def wait_ready(self, timeout_s: float = REDIS_READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            client = aioredis.from_url(self.url, socket_timeout=2)
            try:
                if await client.ping():
                    return
            except (RedisError, OSError) as exc:
                if time.monotonic() > deadline:
                    raise InfraError(
                        f"Redis is not answering on port {self.port}: {exc}",
                        f"read {self.log_file}",
                    ) from exc
            finally:
                await client.aclose()
            await asyncio.sleep(0.2)

    def stop(self) -> None:
        pid = self.pid()
        if pid is not None:
            stop_pid(pid, grace_s=15)

    async def healthy(self) -> bool:
        try:
            await self.wait_ready(timeout_s=1)
            return True
        except InfraError:
            return False
