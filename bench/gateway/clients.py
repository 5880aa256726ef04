"""Client processes for bench/gateway.

    python -m bench.gateway.clients raw URL COUNT [AREAS]
    python -m bench.gateway.clients probe URL COUNT [AREAS]

``raw``: COUNT sockets, a WebSocket handshake by hand and one subscribe frame each, then
one epoll loop that reads their bytes and throws them away: a few microseconds per
socket and frame, so the clients do not measure themselves (an asyncio reader per
socket cost ~20 us each, and at 10,000 sockets that was the latency we saw).
``probe``: COUNT sockets with the ``websockets`` library that parse each frame and time
it from the send time written in the post's body.

Both print one JSON line when connected, then answer each "measure SECONDS" line on
stdin with the probes' latencies (ms) over that window (a post's first frame on each
probe), the frames of a post a probe already had, and how many sockets are open.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import select
import socket
import sys
import threading
import time
from urllib.parse import urlsplit

import orjson
from websockets.asyncio.client import connect

SUBSCRIBE = b'{"type":"subscribe","channel":"feed"}'
# bench/e2e: AREAS points on a grid (AREA_SPACING_DEG apart), each socket subscribed
# to the feed within AREA_RADIUS_M of one of them, so a post reaches COUNT / AREAS.
GRID_ORIGIN = (48.70, 2.20)
AREA_SPACING_DEG = 0.03  # ~3 km
AREA_RADIUS_M = 900  # wider than a fuzzed location's offset (~700 m at most)


def area_point(index: int) -> tuple[float, float]:
    row, col = divmod(index, 10)
    return (GRID_ORIGIN[0] + row * AREA_SPACING_DEG, GRID_ORIGIN[1] + col * AREA_SPACING_DEG)


def subscribe_frame(k: int, areas: int) -> bytes:
    if not areas:
        return SUBSCRIBE
    lat, lon = area_point(k % areas)
    area = {"lat": lat, "lon": lon, "radius_m": AREA_RADIUS_M}
    return json.dumps({"type": "subscribe", "channel": "feed", "filters": {"area": area}},
                      separators=(",", ":")).encode()  # fmt: skip


def masked_text_frame(payload: bytes) -> bytes:
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    if len(payload) < 126:
        return bytes([0x81, 0x80 | len(payload)]) + mask + masked
    return bytes([0x81, 0x80 | 126]) + len(payload).to_bytes(2, "big") + mask + masked


def handshake(url: str, subscribe: bytes = SUBSCRIBE) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port))
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    sock.sendall(request.encode())
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(4096)
    if b" 101 " not in response.split(b"\r\n", 1)[0]:
        raise ConnectionError(response[:100])
    sock.sendall(masked_text_frame(subscribe))
    sock.setblocking(False)
    return sock


def raw(url: str, count: int, areas: int = 0, first: int = 0) -> None:
    poller = select.epoll()
    sockets: dict[int, socket.socket] = {}
    for k in range(count):
        try:
            sock = handshake(url, subscribe_frame(first + k, areas))
        except OSError:
            continue
        sockets[sock.fileno()] = sock
        poller.register(sock.fileno(), select.EPOLLIN)
    print(json.dumps({"connected": len(sockets)}), flush=True)

    def commands() -> None:
        for line in sys.stdin:
            time.sleep(float(line.split()[1]))
            report = {"latencies_ms": [], "duplicates": 0, "alive": len(sockets)}
            print(json.dumps(report), flush=True)
        os._exit(0)

    threading.Thread(target=commands, daemon=True).start()
    while True:
        for fd, _ in poller.poll(1.0):
            sock = sockets.get(fd)
            if sock is None:
                continue
            try:
                data = sock.recv(1 << 16)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                poller.unregister(fd)
                sockets.pop(fd).close()


class Probe:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.seen: set[str] = set()
        self.duplicates = 0  # frames of a post this probe had already received
        self.open = False

    async def run(self, url: str, subscribe: bytes = SUBSCRIBE) -> None:
        async with connect(url, compression=None, ping_interval=None, max_size=2**22) as ws:
            self.open = True
            await ws.send(subscribe.decode())
            async for message in ws:
                now = time.time()
                frame = orjson.loads(message)
                data = frame["event"]["data"] if "event" in frame else frame.get("data")
                if data and "post" in data:
                    if data["post_id"] in self.seen:
                        self.duplicates += 1
                        continue
                    self.seen.add(data["post_id"])
                    sent = float(data["post"]["body"].removeprefix("t="))
                    self.latencies.append((now - sent) * 1000)
        self.open = False


async def probes(url: str, count: int, areas: int = 0) -> None:
    probe_list = [Probe() for _ in range(count)]
    tasks = [asyncio.create_task(p.run(url, subscribe_frame(k, areas)))
             for k, p in enumerate(probe_list)]  # fmt: skip
    await asyncio.sleep(1)
    print(json.dumps({"connected": sum(p.open for p in probe_list)}), flush=True)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        await asyncio.sleep(float(line.split()[1]))
        # Everything since the last report (frames between two windows included), then
        # start afresh: no frame is counted twice or missed.
        latencies, duplicates = [], 0
        for p in probe_list:
            latencies += p.latencies
            duplicates += p.duplicates
            p.latencies, p.duplicates = [], 0
        alive = sum(p.open for p in probe_list)
        report = {"latencies_ms": latencies, "duplicates": duplicates, "alive": alive}
        print(json.dumps(report), flush=True)
    for task in tasks:
        task.cancel()


if __name__ == "__main__":
    mode, target, how_many = sys.argv[1], sys.argv[2], int(sys.argv[3])
    area_count = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    first_index = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    if mode == "raw":
        raw(target, how_many, area_count, first_index)
    else:
        asyncio.run(probes(target, how_many, area_count))
