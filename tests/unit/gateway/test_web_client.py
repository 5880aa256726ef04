"""The web client's files as the gateway serves them: the page for every app route, the
hashed assets cached for a year, a policy that allows no inline script and no framing."""

from __future__ import annotations

from services.gateway.adapters.web_client import IMMUTABLE, WebClient


def built(tmp_path) -> WebClient:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>Entraide</title>")
    (tmp_path / "assets" / "index-4f2a.js").write_text("export {}")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    return WebClient(("http://127.0.0.1:18001", "https://inbox.example.org/v1"), tmp_path)


def test_every_route_of_the_app_is_the_page(tmp_path):
    web = built(tmp_path)
    for path in ("/", "/new", "/login", "/register", "/settings", "/me/posts",
                 "/me/notifications", "/posts/01JDX4", "/posts/01JDX4/"):  # fmt: skip
        page = web.get(path)
        assert page is not None and page.status == 200, path
        assert page.body.startswith(b"<!doctype html>")
        assert page.headers["Cache-Control"] == "no-cache"
    lost = web.get("/posts/01JDX4/edit")
    assert lost is not None and lost.status == 404 and lost.body.startswith(b"<!doctype")


def test_the_page_forbids_inline_scripts_and_framing(tmp_path):
    headers = built(tmp_path).get("/").headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "connect-src 'self' http://127.0.0.1:18001 https://inbox.example.org" in policy
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_assets_are_cached_for_a_year_and_a_missing_one_is_not_the_page(tmp_path):
    web = built(tmp_path)
    script = web.get("/assets/index-4f2a.js")
    assert script is not None and script.headers["Cache-Control"] == IMMUTABLE
    assert script.headers["Content-Type"].startswith("text/javascript")
    icon = web.get("/favicon.svg")
    assert icon is not None and icon.headers["Cache-Control"] == "no-cache"
    assert web.get("/assets/index-old.js") is None
    assert web.get("/robots.txt") is None


def test_an_unbuilt_client_says_how_to_build_it(tmp_path):
    web = WebClient((), tmp_path / "nothing")
    page = web.get("/")
    assert page is not None and page.status == 503 and b"make web" in page.body
