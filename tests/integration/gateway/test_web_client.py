"""The gateway serves the built web client and its configuration, and takes the access
token from the socket's subprotocols, never from the URL."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from shared.contract.identity import Role
from tests.integration.net import with_token


async def test_the_page_its_config_and_its_headers(gateways):
    gateway = await gateways.start(posts_url="http://127.0.0.1:18001")
    async with httpx.AsyncClient(base_url=gateway.http) as http:
        config = (await http.get("/config.json")).json()
        assert config["postsUrl"] == "http://127.0.0.1:18001"
        page = await http.get("/posts/01JDX4")
        assert page.status_code == 200, "the web client is not built: run `make web`"
        assert page.headers["content-type"].startswith("text/html")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
        assert (await http.get("/healthz")).json() == {"status": "ok"}


async def test_the_token_travels_as_a_subprotocol(gateways):
    gateway = await gateways.start()
    token = gateways.keys.signer().issue("u-lea", Role.MEMBER)
    member = await connect(gateway.url, **with_token(token))
    assert member.subprotocol == "entraide.v1"
    await member.send('{"type": "subscribe", "channel": "notifications"}')
    assert '"subscribed"' in await member.recv()
    await member.close()
    anonymous = await connect(gateway.url)  # a script offering no subprotocol
    await anonymous.send('{"type": "subscribe", "channel": "notifications"}')
    assert "login_required" in await anonymous.recv()
    await anonymous.close()
    with pytest.raises(InvalidStatus) as refused:
        await connect(gateway.url, **with_token("not.a.token"))
    assert refused.value.response.status_code == 401
    # A token in the URL is not read: the socket is anonymous.
    in_url = await connect(f"{gateway.url}?token={token}")
    await in_url.send('{"type": "subscribe", "channel": "notifications"}')
    assert "login_required" in await in_url.recv()
    await in_url.close()


async def test_a_members_socket_lives_as_long_as_its_token(gateways):
    gateway = await gateways.start()
    short = gateways.keys.signer().issue("u-lea", Role.MEMBER, ttl_s=2)
    socket = await gateways.socket(gateway, short)
    await socket.subscribe("notifications")
    await socket.wait_for(lambda s: s.closed_with is not None, 10, "the close at expiry")
    assert socket.closed_with == 4001
    anonymous = await gateways.socket(gateway)
    await anonymous.subscribe("feed")
    await asyncio.sleep(3)
    assert anonymous.closed_with is None  # no token, no expiry
    await anonymous.close()


async def test_metrics_need_the_operators_token_when_one_is_set(gateways):
    gateway = await gateways.start(metrics_token="s3cret-token")
    async with httpx.AsyncClient(base_url=gateway.http) as http:
        assert (await http.get("/metrics")).status_code == 401
        allowed = await http.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert allowed.status_code == 200 and "entraide_gateway_connections" in allowed.text
