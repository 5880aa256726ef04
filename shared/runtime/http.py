"""An HTTP service's FastAPI application and its process, the same for every service:
its lifespan builds the wiring (bootstrap) and starts its background work, or uses the
wiring a test gives it; the common routes and middleware; uvicorn with N workers."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi

from shared.runtime.lifecycle import Stoppable, service_lifespan, use_wiring
from shared.runtime.logs import configure_logging
from shared.runtime.schemas import COMMON_ERRORS
from shared.runtime.settings import Settings
from shared.runtime.web import install_common


def service_app(
    *,
    service: str,
    title: str,
    description: str,
    settings: Settings,
    wiring: Any | None,
    build: Callable[[], Awaitable[Any]],
    start: Callable[[Any], Awaitable[Stoppable]],
    checks: Iterable[str],
    routers: Iterable[APIRouter],
    uploads: tuple[tuple[re.Pattern[str], int], ...] = (),
) -> FastAPI:
    """With ``wiring`` given (tests), the caller owns its life; else the app does.
    ``checks``: the readiness checks, each a ``check_<name>`` method of the wiring.
    ``uploads``: the paths that take a larger body than the common cap, and theirs."""
    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=service_lifespan(wiring, build, start),
    )
    if wiring is not None:
        use_wiring(app, wiring)
    readiness = {name: _check(app, name) for name in checks}
    install_common(
        app, service, readiness, web_origins=settings.web_origins, uploads=uploads,
        metrics_token=settings.metrics_token,
    )  # fmt: skip
    for router in routers:
        app.include_router(router, responses=COMMON_ERRORS)
    app.openapi = lambda: _documented_errors(app)  # type: ignore[method-assign]
    return app


VALIDATION_REF = "#/components/schemas/HTTPValidationError"
ERROR_REF = "#/components/schemas/ErrorBody"


def _documented_errors(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, saying what the service answers: a 422 is either FastAPI's
    list (a field of the wrong shape) or our ``{"detail": {code, message, field}}`` (a
    field whose value a rule refuses), so each 422 documents both; a body that cannot be
    parsed at all is a 400."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(title=app.title, version=app.version,
                           description=app.description, routes=app.routes)  # fmt: skip
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    either = {"anyOf": [{"$ref": ERROR_REF}]}
    if "HTTPValidationError" in schemas:
        either["anyOf"].insert(0, {"$ref": VALIDATION_REF})
    for item in document.get("paths", {}).values():
        for operation in item.values():
            responses = operation["responses"]
            if "422" in responses:
                responses["422"]["content"] = {"application/json": {"schema": either}}
            if "requestBody" in operation:
                responses.setdefault("400", {
                    "description": "The body cannot be parsed (not UTF-8, a broken multipart)",
                    "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
                })  # fmt: skip
    app.openapi_schema = document
    return document


def _check(app: FastAPI, name: str):
    async def run() -> None:
        await getattr(app.state.wiring, f"check_{name}")()

    return run


def serve(factory: str, settings: Any, service: str, workers: int = 1) -> None:
    """Run the app that ``factory`` ("module:function") makes, in ``workers`` processes
    sharing the port; each configures its own logging in the factory."""
    configure_logging(service, settings.log_level)
    uvicorn.run(
        factory,
        factory=True,
        host=settings.http_host,
        port=settings.http_port,
        workers=workers,
        log_config=None,
        access_log=False,
    )
