"""Small helpers to run set-up commands and to follow detached server processes."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from ops.infra.errors import InfraError

OUTPUT_TAIL_CHARS = 2_000


def is_root() -> bool:
    return os.geteuid() == 0


def run(cmd: list[str], what: str, fix: str, timeout_s: float = 600, **kwargs) -> str:
    """Run a command; on failure raise InfraError with the tail of its output."""
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout_s, check=False, **kwargs
        )
    except FileNotFoundError as exc:
        raise InfraError(f"{what}: {cmd[0]} is not installed", fix) from exc
    except subprocess.TimeoutExpired as exc:
        raise InfraError(f"{what}: {cmd[0]} did not finish in {timeout_s:.0f}s", fix) from exc
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()[-OUTPUT_TAIL_CHARS:]
        raise InfraError(f"{what} (exit {done.returncode}):\n{output}", fix)
    return done.stdout


def read_pid(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None
    return pid if pid_alive(pid) else None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still answers kill(0); reap it if it is ours.
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        return reaped == 0
    except ChildProcessError:
        return True


def stop_pid(pid: int, grace_s: float = 30.0) -> None:
    """SIGTERM, then SIGKILL after the grace period."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return
        time.sleep(0.1)
    kill_pid(pid)


def kill_pid(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def start_detached(
    cmd: list[str], log_file: Path, pid_file: Path, cwd: Path, env: dict[str, str] | None = None
) -> int:
    """Start a server in its own session so it outlives this command."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        process = subprocess.Popen(
            cmd,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    pid_file.write_text(f"{process.pid}\n")
    return process.pid


def log_tail(log_file: Path, chars: int = OUTPUT_TAIL_CHARS) -> str:
    try:
        return log_file.read_text(errors="replace")[-chars:]
    except FileNotFoundError:
        return "(no log)"
