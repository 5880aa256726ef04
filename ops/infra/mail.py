"""A local SMTP server (aiosmtpd) that keeps every message in a maildir: what the posts
service sends (e-mail verification, password reset) is read there in development."""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ops.infra.errors import InfraError
from ops.infra.processes import log_tail, read_pid, start_detached, stop_pid

MAIL_READY_TIMEOUT_S = 15.0


@dataclass
class MailServer:
    home: Path
    port: int
    name = "mail"

    @property
    def maildir(self) -> Path:
        return self.home / "maildir"

    @property
    def pid_file(self) -> Path:
        return self.home / "mail.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "mail.log"

    def pid(self) -> int | None:
        return read_pid(self.pid_file)

    async def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        if self.pid() is None:
            start_detached(
                [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
                 "-c", "aiosmtpd.handlers.Mailbox", str(self.maildir)],
                self.log_file, self.pid_file, self.home,
            )  # fmt: skip
        await self.wait_ready()

    async def wait_ready(self, timeout_s: float = MAIL_READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                greeting = await asyncio.wait_for(reader.readline(), 2)
                writer.close()
                if greeting.startswith(b"220"):
                    return
            except (OSError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise InfraError(
                    f"the SMTP server is not answering on port {self.port}:\n"
                    f"{log_tail(self.log_file)}",
                    f"read {self.log_file}; if the port is taken, stop what holds it",
                )
            await asyncio.sleep(0.2)

    def stop(self) -> None:
        pid = self.pid()
        if pid is not None:
            stop_pid(pid, grace_s=5)

    async def healthy(self) -> bool:
        try:
            await self.wait_ready(timeout_s=1)
            return True
        except InfraError:
            return False
