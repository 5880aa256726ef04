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
