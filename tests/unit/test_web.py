"""The HTTP pieces every service shares, on a tiny app."""

import httpx
from fastapi import FastAPI
from redis.exceptions import MaxConnectionsError

from shared.runtime.web import install_common


def app_that_raises(error: Exception) -> FastAPI:
    app = FastAPI()
    install_common(app, "test", {})

    @app.post("/boom")
    async def boom() -> dict:
        raise error

    @app.post("/echo")
    async def echo(body: dict) -> dict:
        return body

    return app


async def call(app: FastAPI, path: str, **kwargs) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.post(path, **kwargs)


async def test_a_saturated_dependency_is_a_503_with_retry_after_not_a_500():
    response = await call(app_that_raises(MaxConnectionsError("Too many connections")), "/boom")
    assert response.status_code == 503
    assert response.json()["detail"]["code"] == "unavailable"
    assert response.headers["retry-after"] == "1"


async def test_a_trace_is_continued_and_returned():
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    response = await call(app_that_raises(ValueError()), "/echo", json={"a": 1},
                          headers={"traceparent": parent})  # fmt: skip
    assert response.json() == {"a": 1}
    returned = response.headers["traceparent"]
    assert returned.split("-")[1] == parent.split("-")[1] and returned != parent


async def test_bodies_over_the_cap_get_413_whether_declared_or_streamed():
    app = app_that_raises(ValueError())
    assert (await call(app, "/echo", content=b"{" + b" " * 70_000 + b"}")).status_code == 413

    async def stream():
        for _ in range(80):
            yield b" " * 1024

    assert (await call(app, "/echo", content=stream())).status_code == 413


def test_the_client_address_is_believed_from_trusted_proxies_only():
    from shared.runtime.web import client_address

    proxies = ("10.0.0.0/8", "192.168.1.5")
    # No trusted proxy: the peer, whatever the header claims.
    assert client_address("203.0.113.9", "1.2.3.4", ()) == "203.0.113.9"
    assert client_address("203.0.113.9", "1.2.3.4", proxies) == "203.0.113.9"
    # Through trusted proxies: the nearest address they did not write.
    assert client_address("10.1.2.3", "198.51.100.7", proxies) == "198.51.100.7"
    forged = "6.6.6.6, 198.51.100.7, 192.168.1.5"  # the client wrote 6.6.6.6 itself
    assert client_address("10.1.2.3", forged, proxies) == "198.51.100.7"
    assert client_address("10.1.2.3", None, proxies) == "10.1.2.3"
    assert client_address(None, "1.2.3.4", proxies) == "unknown"


def test_metrics_answer_only_the_operators_token_when_one_is_set():
    from shared.runtime.web import metrics_allowed

    assert metrics_allowed(None, None)  # development: open
    assert metrics_allowed("s3cret", "Bearer s3cret")
    assert not metrics_allowed("s3cret", None)
    assert not metrics_allowed("s3cret", "Bearer wrong")
    assert not metrics_allowed("s3cret", "s3cre")


async def test_the_frameworks_own_refusals_have_the_one_error_shape():
    app = app_that_raises(ValueError())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        missing = await client.get("/nowhere")
        wrong_method = await client.get("/echo")
    assert missing.status_code == 404 and missing.json()["detail"]["code"] == "not_found"
    assert wrong_method.status_code == 405
    assert wrong_method.json()["detail"]["code"] == "method_not_allowed"
    assert wrong_method.headers["allow"] == "POST"
