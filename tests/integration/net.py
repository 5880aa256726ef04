"""Free loopback ports for servers a test starts itself."""

from __future__ import annotations

import socket
from contextlib import ExitStack


def free_ports(count: int) -> list[int]:
    """Distinct free ports: every socket stays bound until all are chosen, so two calls
    in a row cannot return the same port."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]


def free_port() -> int:
    return free_ports(1)[0]


def with_token(token: str | None) -> dict:
    """The keyword arguments of ``websockets``' ``connect`` that authenticate a socket
    as the web client does: the access token as a second subprotocol, never in the URL."""
    protocols = ["entraide.v1"] + ([f"token.{token}"] if token else [])
    return {"subprotocols": protocols}
