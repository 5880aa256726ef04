"""The gateway's server: WebSocket at /ws, the web client at /, and /healthz, /readyz,
/metrics, all on one port (the ``websockets`` package answers the plain HTTP requests
through ``process_request``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from http import HTTPStatus
from urllib.parse import urlsplit

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from services.gateway.adapters.web_client import WebClient
from services.gateway.bootstrap import GatewayWiring
from services.gateway.domain import protocol as P
from services.gateway.handlers import Client
from shared.runtime.auth import InvalidTokenError
from shared.runtime.web import metrics_allowed

log = logging.getLogger(__name__)

STARTING_RETRY_AFTER_S = 1
_CLOSING: set[asyncio.Task] = set()
# The web client asks for this subprotocol, and sends its access token as a second one,
# "token.<jwt>": a header, never the URL (which servers and proxies log).
PROTOCOL = "entraide.v1"
TOKEN_PROTOCOL_PREFIX = "token."


def offered_token(request: Request) -> str | None:
    offered = request.headers.get("Sec-WebSocket-Protocol", "")
    for value in (v.strip() for v in offered.split(",")):
        if value.startswith(TOKEN_PROTOCOL_PREFIX):
            return value.removeprefix(TOKEN_PROTOCOL_PREFIX)
    return None


def select_subprotocol(_connection: ServerConnection, offered: Sequence[str]) -> str | None:
    """``entraide.v1`` when offered (browsers require the server to pick one of theirs);
    a client that offers none (a script, a benchmark) goes on without."""
    return PROTOCOL if PROTOCOL in offered else None


def _response(
    status: HTTPStatus, body: bytes, content_type: str, extra: dict[str, str] | None = None
) -> Response:
    extra = {"Cache-Control": "no-cache", **(extra or {})}
    headers = Headers([
        ("Content-Type", content_type), ("Content-Length", str(len(body))),
        ("X-Content-Type-Options", "nosniff"), *extra.items(),
    ])  # fmt: skip
    return Response(status.value, status.phrase, headers, body)


def _json(status: HTTPStatus, body: dict, extra: dict[str, str] | None = None) -> Response:
    return _response(status, orjson.dumps(body), "application/json", extra)


class GatewayServer:
    def __init__(self, gateway: GatewayWiring) -> None:
        self.gateway = gateway
        self.settings = gateway.settings
        self.web = WebClient(
            (self.settings.posts_url, self.settings.notifications_url),
            tiles_url=self.settings.map_tiles_url,
        )

    async def process_request(self, connection: ServerConnection, request: Request):
        url = urlsplit(request.path)
        if url.path == "/ws":
            if not self.gateway.caught_up:
                # A gateway that has not read its resume window would answer every
                # resume with snapshot_required, then send the window again as live
                # frames: clients wait a second and come back (or go to another).
                return _json(
                    HTTPStatus.SERVICE_UNAVAILABLE,
                    {"code": "starting", "message": "the gateway is reading its resume window"},
                    {"Retry-After": str(STARTING_RETRY_AFTER_S)},
                )
            token = offered_token(request)
            connection.member = None  # type: ignore[attr-defined]
            if token:
                try:
                    claims = self.gateway.verifier.verify(token)
                except InvalidTokenError as exc:
                    message = f"invalid token: {exc}"
                    return _json(
                        HTTPStatus.UNAUTHORIZED, {"code": "unauthorized", "message": message}
                    )
                if claims.member_id in self.gateway.hub.suspended:
                    message = "this account is suspended"
                    return _json(HTTPStatus.FORBIDDEN, {"code": "suspended", "message": message})
                connection.member = claims.member_id  # type: ignore[attr-defined]
                connection.token_expires_at = claims.expires_at  # type: ignore[attr-defined]
                connection.member_name = claims.display_name  # type: ignore[attr-defined]
            return None  # on with the WebSocket handshake (the Origin is checked there)
        return await self.http(url.path, request.headers.get("Authorization"))

    async def http(self, path: str, authorization: str | None = None) -> Response:
        if path == "/healthz":
            return _json(HTTPStatus.OK, {"status": "ok"})
        if path == "/readyz":
            failures = {}
            try:
                await self.gateway.check_kafka()
            except Exception as exc:
                failures["kafka"] = str(exc) or type(exc).__name__
            if not self.gateway.caught_up:
                failures["streams"] = "still reading the resume window"
            if not self.gateway.reading:
                failures["reader"] = "not reading Kafka"
            if not self.gateway.reading_rooms:
                failures["rooms"] = "not reading the search rooms"
            if failures:
                return _json(HTTPStatus.SERVICE_UNAVAILABLE,
                             {"status": "unavailable", "failures": failures})  # fmt: skip
            return _json(HTTPStatus.OK, {"status": "ready"})
        if path == "/metrics":
            if not metrics_allowed(self.settings.metrics_token, authorization):
                refusal = {"code": "unauthorized", "message": "metrics need the operator's token"}
                return _json(HTTPStatus.UNAUTHORIZED, refusal, {"WWW-Authenticate": "Bearer"})
            return _response(HTTPStatus.OK, generate_latest(), CONTENT_TYPE_LATEST)
        if path == "/config.json":
            config = {
                "postsUrl": self.settings.posts_url,
                "notificationsUrl": self.settings.notifications_url,
                "tilesUrl": self.settings.map_tiles_url,
                "tilesAttribution": self.settings.map_tiles_attribution,
            }
            return _json(HTTPStatus.OK, config)
        file = self.web.get(path)
        if file is not None:
            headers = dict(file.headers)
            content_type = headers.pop("Content-Type")
            return _response(HTTPStatus(file.status), file.body, content_type, headers)
        return _json(HTTPStatus.NOT_FOUND, {"code": "not_found", "message": f"no {path}"})

    async def handle(self, connection: ServerConnection) -> None:
        hub = self.gateway.hub

        async def send(frame: bytes) -> None:
            await connection.send(frame, text=True)

        member = getattr(connection, "member", None)
        name = getattr(connection, "member_name", "")
        client = Client(send, connection.close, member, hub, connection=connection, name=name)
        hub.connect(client)
        writer = asyncio.create_task(self._write(client))
        expiry = self._close_at_expiry(client, getattr(connection, "token_expires_at", None))
        try:
            async for message in connection:
                hub.receive(client, message)
                if client.closed:
                    break
        except ConnectionClosed:
            pass
        finally:
            if expiry is not None:
                expiry.cancel()
            hub.disconnect(client)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await writer

    @staticmethod
    def _close_at_expiry(client: Client, expires_at: int | None) -> asyncio.TimerHandle | None:
        """A member's socket lives as long as the token that opened it: a stolen token
        must not listen to her notifications for ever. The client reconnects at once
        with its renewed token and resumes with its cursors (docs/protocol.md)."""
        if expires_at is None:
            return None

        def close() -> None:
            reason = "the access token expired: reconnect with a fresh one"
            task = asyncio.ensure_future(client.close(P.CLOSE_TOKEN_EXPIRED, reason))
            _CLOSING.add(task)  # kept until done: a task only the loop references may vanish
            task.add_done_callback(_CLOSING.discard)

        return asyncio.get_running_loop().call_later(max(0.0, expires_at - time.time()), close)

    async def _write(self, client: Client) -> None:
        with contextlib.suppress(ConnectionClosed):
            await client.writer()

    async def serve(self, host: str, port: int) -> Server:
        return await serve(
            self.handle,
            host,
            port,
            process_request=self.process_request,
            # Browsers send an Origin, checked here; other clients (apps, tests) send
            # none and cannot be driven by a foreign page, so None is accepted.
            origins=[*self.settings.web_origins, None],
            max_size=self.settings.max_frame_bytes,
            # Off: compressing per socket would undo "encode once", and each deflate
            # context costs tens of KiB per connection.
            compression=None,
            subprotocols=[PROTOCOL],
            select_subprotocol=select_subprotocol,
            ping_interval=self.settings.ping_interval_s,
            max_queue=8,
        )


async def close_all(gateway: GatewayWiring) -> None:
    for client in list(gateway.hub.clients):
        await client.close(P.CLOSE_GOING_AWAY, "the gateway is restarting: reconnect")
