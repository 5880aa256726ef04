"""The gateway's HTTP side, before any socket: a gateway that has not read its resume
window refuses sockets with 503 and Retry-After, and says why on /readyz."""

from __future__ import annotations

import json
from types import SimpleNamespace

from websockets.datastructures import Headers
from websockets.http11 import Request

from services.gateway.entrypoints.server import GatewayServer


class Starting:
    """What the server reads of the wiring: not caught up yet, the reader running."""

    caught_up = False
    reading = True
    reading_rooms = True
    settings = SimpleNamespace(web_origins=(), max_frame_bytes=16384, ping_interval_s=None,
                               posts_url="", notifications_url="", map_tiles_url="",
                               map_tiles_attribution="")  # fmt: skip

    async def check_kafka(self) -> None:
        pass


async def test_a_starting_gateway_refuses_sockets_and_is_not_ready():
    server = GatewayServer(Starting())
    refused = await server.process_request(SimpleNamespace(), Request("/ws", Headers()))
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
    assert json.loads(refused.body)["code"] == "starting"
    ready = await server.http("/readyz")
    assert ready.status_code == 503
    assert "streams" in json.loads(ready.body)["failures"]
