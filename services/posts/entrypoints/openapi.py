"""The posts API's OpenAPI document, committed under docs/ (`entraide schema`)."""

from __future__ import annotations

import json
from pathlib import Path

from services.posts.entrypoints.app import create_app
from services.posts.settings import PostsSettings
from shared.settings import PROJECT_ROOT

OPENAPI_PATH = PROJECT_ROOT / "docs" / "openapi" / "posts.json"


def posts_openapi_text() -> str:
    document = create_app(PostsSettings()).openapi()
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_openapi() -> Path:
    OPENAPI_PATH.parent.mkdir(parents=True, exist_ok=True)
    OPENAPI_PATH.write_text(posts_openapi_text())
    return OPENAPI_PATH
