"""The web client's files, as Vite built them (``services/gateway/web/dist``), with the
headers a browser needs: long caching for the hashed assets, none for the page, and a
Content-Security-Policy that allows no inline script and no framing.

The app's routes (``/posts/<id>``, ``/me/posts``...) all answer the same page: the
client reads the path (the history API), so a link a member shares opens the right view.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DIST_DIR = Path(__file__).resolve().parents[1] / "web" / "dist"
ASSETS_PREFIX = "/assets/"
# Vite names each asset by its content's hash: a new build is a new name, so a browser
# may keep one for a year without asking.
IMMUTABLE = "public, max-age=31536000, immutable"
APP_ROUTES = re.compile(
    r"^/(?:|new|login|register|settings|me/posts|me/notifications|me/conversations"
    r"|password-reset|verify-email|moderation|organisation|partner"
    r"|(?:posts|alerts|members|conversations)/[0-9A-Za-z_-]{1,64})/?$"
)
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}
NOT_BUILT = (
    b"<!doctype html><meta charset=utf-8><title>Entraide</title>"
    b"<p>The web client is not built: run <code>make web</code> (or <code>make up</code>).</p>"
)


@dataclass(frozen=True)
class File:
    status: int
    body: bytes
    headers: dict[str, str]


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def security_headers(api_urls: tuple[str, ...], tiles_url: str = "") -> dict[str, str]:
    """For the page: scripts and styles from here only (Vite emits no inline script),
    requests to here and to the APIs (``'self'`` covers the socket), images from here,
    the APIs (photos) and the map's tile server if one is set, never framed."""
    apis = " ".join(sorted({origin_of(url) for url in api_urls}))
    tiles = f" {origin_of(tiles_url)}" if tiles_url else ""
    policy = "; ".join((
        "default-src 'self'", "script-src 'self'", "style-src 'self'",
        # Posts' photos are served by the posts API.
        f"img-src 'self' data: {apis}{tiles}",
        f"connect-src 'self' {apis}", "font-src 'self'", "object-src 'none'",
        "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ))  # fmt: skip
    return {
        "Content-Security-Policy": policy,
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
    }


class WebClient:
    def __init__(
        self, api_urls: tuple[str, ...], dist: Path = DIST_DIR, tiles_url: str = ""
    ) -> None:
        self.page_headers = {
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-cache",
            **security_headers(api_urls, tiles_url),
        }
        self.files: dict[str, bytes] = {}
        if dist.is_dir():
            for path in dist.rglob("*"):
                if path.is_file():
                    self.files["/" + path.relative_to(dist).as_posix()] = path.read_bytes()
        self.page = self.files.get("/index.html", NOT_BUILT)

    @property
    def built(self) -> bool:
        return "/index.html" in self.files

    def get(self, path: str) -> File | None:
        """The file for this path, the page for an app route (200) or for an unknown
        path (404: the client says so), or None for what is not the client's."""
        if APP_ROUTES.match(path):
            return File(200 if self.built else 503, self.page, self.page_headers)
        body = self.files.get(path)
        if body is not None and path != "/index.html":
            cache = IMMUTABLE if path.startswith(ASSETS_PREFIX) else "no-cache"
            content_type = (
                TYPES.get(Path(path).suffix)
                or mimetypes.guess_type(path)[0]
                or "application/octet-stream"
            )
            return File(200, body, {"Content-Type": content_type, "Cache-Control": cache})
        if path.startswith(ASSETS_PREFIX) or "." in path.rsplit("/", 1)[-1]:
            return None  # a missing file: a plain 404, not the page
        return File(404, self.page, self.page_headers)
