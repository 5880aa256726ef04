"""Each HTTP service's OpenAPI document, committed under docs/openapi (`entraide schema`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from shared.runtime.settings import PROJECT_ROOT

OPENAPI_DIR = PROJECT_ROOT / "docs" / "openapi"


def _posts() -> FastAPI:
    from services.posts.entrypoints.app import create_app
    from services.posts.settings import PostsSettings

    return create_app(PostsSettings())


def _notifications() -> FastAPI:
    from services.notifications.entrypoints.app import create_app
    from services.notifications.settings import NotificationsSettings

    return create_app(NotificationsSettings())


APPS: dict[str, Callable[[], FastAPI]] = {"posts": _posts, "notifications": _notifications}


def openapi_path(service: str) -> Path:
    return OPENAPI_DIR / f"{service}.json"


def openapi_text(service: str) -> str:
    return json.dumps(APPS[service]().openapi(), indent=2, ensure_ascii=False) + "\n"


def write_openapi() -> list[Path]:
    OPENAPI_DIR.mkdir(parents=True, exist_ok=True)
    for service in APPS:
        openapi_path(service).write_text(openapi_text(service))
    return [openapi_path(service) for service in APPS]


def stale_openapi() -> list[Path]:
    return [
        openapi_path(s)
        for s in APPS
        if not openapi_path(s).exists() or openapi_path(s).read_text() != openapi_text(s)
    ]
