"""What every HTTP service shares: health, readiness, metrics, tracing, body cap, errors.

Error bodies have one shape everywhere: ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``
for validation (FastAPI's own) and ``{"detail": {"code": ..., "message": ..., "field": ...}}``
for everything else.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from redis import exceptions as redis_errors
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.contract.errors import ApiError
from shared.runtime.tracing import TRACEPARENT_HEADER, child_traceparent, current_traceparent

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
# The stable codes of the framework's own refusals.
HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}

HTTP_REQUESTS = Counter(
    "entraide_http_requests_total", "HTTP requests", ["service", "route", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "entraide_http_request_duration_seconds",
    "HTTP request duration",
    ["service", "route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)

ReadinessCheck = Callable[[], Awaitable[None]]

UNAVAILABLE_RETRY_AFTER_S = 1
# Errors that mean "a dependency is down or saturated", not "a bug": answered with 503.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.CannotConnectNowError,
    # A pooled connection PostgreSQL dropped (a restart): "connection is closed", or
    # "another operation is in progress" on the one that was mid-query. Not bugs.
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    ConnectionError,
    TimeoutError,
)


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[str, ...]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy; then the
    nearest address in X-Forwarded-For that is not one of the trusted proxies (anything
    further left was written by the client, and may be forged)."""
    networks = [ipaddress.ip_network(t, strict=False) for t in trusted]

    def is_trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)

    if not peer or not forwarded_for or not is_trusted(peer):
        return peer or "unknown"
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop):
            return hop
    return peer


def metrics_allowed(token: str | None, authorization: str | None) -> bool:
    """No token configured: open (development). Else the bearer must match, compared in
    constant time."""
    if not token:
        return True
    presented = (authorization or "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(presented.encode(), token.encode())


def _printable(value):
    """A value as JSON can carry it: a NaN or an infinity becomes its text, a string with
    a lone surrogate gets it escaped, containers are walked, anything else is its str."""
    if isinstance(value, bool | int | None):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {str(k): _printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(v) for v in value]
    return _printable(str(value))


def validation_body(errors) -> dict:
    """FastAPI's 422 list (loc, msg, type, ctx), made safe to encode: the input itself is
    left out (a lone surrogate or a NaN in it made the 422 a 500, and echoing a
    member's input back is never needed: ``loc`` names the field)."""
    return {"detail": [
        {key: _printable(error[key]) for key in ("loc", "msg", "type", "ctx") if key in error}
        for error in errors
    ]}  # fmt: skip


def error_body(
    code: str, message: str, field: str | None = None, params: dict | None = None
) -> dict:
    detail: dict = {"code": code, "message": message}
    if field:
        detail["field"] = field
    if params:
        detail["params"] = params
    return {"detail": detail}


class BodySizeLimit:
    """413 for a body over the cap, whether Content-Length says so or the stream does.
    ``uploads``: path patterns with a cap of their own (a photo), read the same way."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = MAX_BODY_BYTES,
        uploads: tuple[tuple[re.Pattern[str], int], ...] = (),
    ) -> None:
        self.app = app
        self.default_max_bytes = max_bytes
        self.uploads = uploads

    def _cap(self, path: str) -> int:
        return next((cap for pattern, cap in self.uploads if pattern.match(path)),
                    self.default_max_bytes)  # fmt: skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self._cap(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > cap:
            await self._too_large(scope, receive, send, cap)
            return
        # Bodies are small (64 KiB, a photo 10 MiB), so reading one whole before the app
        # sees it costs little, and a stream that turns out too large never reaches it.
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; let the app see it
            chunks.append(message.get("body", b""))
            received += len(chunks[-1])
            if received > cap:
                await self._too_large(scope, receive, send, cap)
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, cap: int) -> None:
        response = JSONResponse(
            error_body("body_too_large", f"the body is over {cap} bytes", "body"),
            status_code=413,
        )
        await response(scope, receive, send)


class TraceAndMeasure:
    """Continue (or start) the caller's trace, return it in a header, count and time.

    A plain ASGI middleware: Starlette's BaseHTTPMiddleware costs a task and a queue
    per request, which showed in the ingest benchmark's profile.
    """

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(TRACEPARENT_HEADER.encode(), b"").decode("latin-1")
        traceparent = child_traceparent(incoming)
        token = current_traceparent.set(traceparent)
        started = time.perf_counter()
        status = 500

        async def send_with_trace(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((TRACEPARENT_HEADER.encode(), traceparent.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_trace)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            HTTP_REQUESTS.labels(self.service, route, method, str(status)).inc()
            elapsed_s = time.perf_counter() - started
            HTTP_LATENCY.labels(self.service, route, method).observe(elapsed_s)
            log.info("%s %s %d %.1f ms", method, scope["path"], status, elapsed_s * 1000)
            current_traceparent.reset(token)


def install_common(
    app: FastAPI,
    service: str,
    readiness: dict[str, ReadinessCheck],
    web_origins: tuple[str, ...] = (),
    uploads: tuple[tuple[re.Pattern[str], int], ...] = (),
    metrics_token: str | None = None,
) -> None:
    """Add /healthz, /readyz, /metrics, the trace and metrics middleware, error handlers,
    and CORS for the web client's origins (it is served by the gateway, another port).
    ``uploads``: the paths that take a larger body, and their cap in bytes."""

    async def unavailable(_: Request, exc: Exception) -> JSONResponse:
        # A dependency is down or saturated: the request was not applied, and saying so
        # (503, retry) is true; a 500 would claim a bug.
        log.warning("dependency unavailable: %s: %s", type(exc).__name__, exc)
        return JSONResponse(
            error_body("unavailable", "a dependency is unavailable; retry shortly"),
            status_code=503,
            headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_S)},
        )

    for error in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error, unavailable)

    @app.exception_handler(asyncpg.ForeignKeyViolationError)
    async def gone(_: Request, exc: Exception) -> JSONResponse:
        # A write that refers to a row deleted meanwhile (an account, a post): nothing
        # was written, and the request cannot succeed as it is.
        log.info("write refused, it refers to a deleted row: %s", exc)
        return JSONResponse(
            error_body("gone", "it refers to something that no longer exists"), status_code=409
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_body(exc.errors()), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # The framework's own refusals (no such route, a method the route does not take,
        # a multipart body it cannot parse) in the one error shape, their headers kept
        # (a 405's Allow).
        code = HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return JSONResponse(error_body(code, message), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))  # fmt: skip

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, exc.message, exc.field, exc.params),
            status_code=exc.status,
            headers=exc.headers,
        )

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="Every dependency answers",
        responses={503: {"description": "A dependency does not answer"}},
    )
    async def readyz() -> Response:
        failures = {}
        for name, check in readiness.items():
            try:
                await check()
            except Exception as exc:
                failures[name] = str(exc) or type(exc).__name__
        if failures:
            return JSONResponse({"status": "unavailable", "failures": failures}, status_code=503)
        return JSONResponse({"status": "ready"})

    @app.get(
        "/metrics", tags=["operations"], summary="Prometheus metrics (the operator's token)",
        response_class=Response, include_in_schema=False,
    )  # fmt: skip
    async def metrics(request: Request) -> Response:
        if not metrics_allowed(metrics_token, request.headers.get("authorization")):
            refusal = error_body("unauthorized", "metrics need the operator's token")
            return JSONResponse(refusal, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(BodySizeLimit, uploads=uploads)
    if web_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(web_origins),
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            # The posts API keeps the refresh token in an HttpOnly cookie the web client
            # sends to /auth/refresh (docs/adr/0016).
            allow_credentials=True,
            allow_headers=["authorization", "content-type", TRACEPARENT_HEADER],
            max_age=600,
        )
    app.add_middleware(TraceAndMeasure, service=service)
