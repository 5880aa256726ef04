"""PostgreSQL from Debian's package, on our own port and data folder.

The server refuses to run as root, so as root every server command runs as the
``postgres`` user (runuser), which then owns the data folder.
"""

from __future__ import annotations

import asyncio
import glob
import hashlib
import os
import pwd
import shutil
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from ops.infra.errors import InfraError
from ops.infra.processes import is_root, log_tail, pid_alive, run

POSTGRES_READY_TIMEOUT_S = 60.0
PG_USER = "entraide"
PG_PASSWORD = "entraide"
PG_DATABASE = "entraide"


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise InfraError(f"PostgreSQL's {name} is not installed", "apt-get install -y postgresql")


FALLBACK_ROOT = Path("/var/lib/entraide")


def _server_user_can_reach(path: Path) -> bool:
    """Can the postgres user traverse every existing folder above ``path``?"""
    if not is_root():
        return True
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        return True  # not installed yet; start() reports that clearly
    groups = set(os.getgrouplist(user.pw_name, user.pw_gid))
    for folder in path.parents:
        if not folder.exists():
            continue
        info = folder.stat()
        if info.st_uid == user.pw_uid:
            allowed = info.st_mode & stat.S_IXUSR
        elif info.st_gid in groups:
            allowed = info.st_mode & stat.S_IXGRP
        else:
            allowed = info.st_mode & stat.S_IXOTH
        if not allowed:
            return False
    return True


@dataclass
class PostgresServer:
    home: Path
    port: int
    name = "postgres"

    def __post_init__(self) -> None:
        # A checkout under /root (mode 700) is out of the postgres user's reach; then
        # the cluster lives in a fixed folder derived from the checkout's path, so
        # `status` and `down` find it again.
        if not _server_user_can_reach(self.home):
            digest = hashlib.sha1(str(self.home).encode()).hexdigest()[:12]
            self.home = FALLBACK_ROOT / f"postgres-{digest}"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_file(self) -> Path:
        return self.home / "postgres.log"

    @property
    def dsn(self) -> str:
        return f"postgresql://{PG_USER}:{PG_PASSWORD}@127.0.0.1:{self.port}/{PG_DATABASE}"

    def _as_server_user(self, cmd: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *cmd] if is_root() else cmd

    def _prepare_home(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        if is_root():
            owner = pwd.getpwnam("postgres")
            for path in (self.home, self.data_dir):
                path.mkdir(exist_ok=True)
                os.chown(path, owner.pw_uid, owner.pw_gid)
            os.chmod(self.data_dir, 0o700)
            run(
                ["runuser", "-u", "postgres", "--", "test", "-w", str(self.home)],
                f"the postgres user cannot write to {self.home}",
                "set ENTRAIDE_DATA_DIR to a folder every user can traverse (e.g. under /var/tmp)",
            )

    def _initdb(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        pwfile = self.home / "pwfile"
        pwfile.write_text(PG_PASSWORD + "\n")
        if is_root():
            owner = pwd.getpwnam("postgres")
            os.chown(pwfile, owner.pw_uid, owner.pw_gid)
        try:
            run(
                self._as_server_user(
                    [
                        _pg_bin("initdb"),
                        "-D",
                        str(self.data_dir),
                        "-U",
                        PG_USER,
                        f"--pwfile={pwfile}",
                        "--auth-host=scram-sha-256",
                        "--auth-local=trust",
                        "-E",
                        "UTF8",
                        "--locale=C.UTF-8",
                    ]
                ),
                "initdb failed",
                f"remove {self.data_dir} and run again",
            )
        finally:
            pwfile.unlink(missing_ok=True)

    def pid(self) -> int | None:
        """The postmaster's pid while it runs (after a kill -9 its pid file stays)."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, PermissionError, ValueError, IndexError):
            return None
        return pid if pid_alive(pid) else None

    def running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        done = _quiet(self._as_server_user([_pg_bin("pg_ctl"), "status", "-D", str(self.data_dir)]))
        return done == 0

    async def start(self) -> None:
        self._prepare_home()
        self._initdb()
        if not self.running():
            options = f"-p {self.port} -h 127.0.0.1 -k {self.home} -c fsync=on"
            run(
                self._as_server_user(
                    [
                        _pg_bin("pg_ctl"),
                        "start",
                        "-D",
                        str(self.data_dir),
                        "-w",
                        "-t",
                        "60",
                        "-l",
                        str(self.log_file),
                        "-o",
                        options,
                    ]
                ),
                f"PostgreSQL did not start on port {self.port}:\n{log_tail(self.log_file)}",
                f"read {self.log_file}; if the port is taken, stop what holds it",
            )
        await self.wait_ready()
        await self._ensure_database()

    async def wait_ready(self, timeout_s: float = POSTGRES_READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                conn = await asyncpg.connect(self._admin_dsn(), timeout=3)
                await conn.fetchval("SELECT 1")
                await conn.close()
                return
            except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
                if time.monotonic() > deadline:
                    raise InfraError(
                        f"PostgreSQL is not answering on port {self.port}: {exc}",
                        f"read {self.log_file}",
                    ) from exc
                await asyncio.sleep(0.3)

    def _admin_dsn(self) -> str:
        return f"postgresql://{PG_USER}:{PG_PASSWORD}@127.0.0.1:{self.port}/postgres"

    async def _ensure_database(self) -> None:
        conn = await asyncpg.connect(self._admin_dsn())
        try:
            exists = await conn.fetchval(
                "SELECT 1 FROM pg_database WHERE datname = $1", PG_DATABASE
            )
            if not exists:
                await conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
        finally:
            await conn.close()

    def stop(self) -> None:
        if self.running():
            run(
                self._as_server_user(
                    [_pg_bin("pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "fast", "-w"]
                ),
                "PostgreSQL did not stop",
                f"read {self.log_file}",
            )

    async def healthy(self) -> bool:
        try:
            await self.wait_ready(timeout_s=2)
            return True
        except InfraError:
            return False


def _quiet(cmd: list[str]) -> int:
    return subprocess.run(cmd, capture_output=True, check=False).returncode
