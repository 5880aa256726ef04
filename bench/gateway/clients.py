"""A client process for bench/gateway: N sockets on one server.

    python -m bench.gateway.clients URL COUNT PROBES

Most sockets are raw: a WebSocket handshake by hand, one subscribe frame, then bytes
read and thrown away (parsing 100,000 frames per second in Python would measure the
clients, not the server). ``PROBES`` sockets use the ``websockets`` library, parse each
frame and record its latency from the send time written in the post's body. Prints
one JSON line when connected, then, for each "measure SECONDS" line on stdin, the
probes' latencies (ms) over that window.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
import time
from urllib.parse import urlsplit

import orjson
from websockets.asyncio.client import connect

SUBSCRIBE = b'{"type":"subscribe","channel":"feed"}'


def masked_text_frame(payload: bytes) -> bytes:
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x81, 0x80 | len(payload)]) + mask + masked


async def raw_socket(url: str) -> None:
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port, limit=2**16)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    writer.write(request.encode())
    await reader.readuntil(b"\r\n\r\n")
    writer.write(masked_text_frame(SUBSCRIBE))
    while await reader.read(2**16):
        pass


class Probe:
    def __init__(self) -> None:
        self.latencies: list[float] = []

    async def run(self, url: str) -> None:
        async with connect(url, compression=None, ping_interval=None, max_size=2**22) as ws:
            await ws.send(SUBSCRIBE.decode())
            async for message in ws:
                now = time.time()
                frame = orjson.loads(message)
                data = frame["event"]["data"] if "event" in frame else frame.get("data")
                if not data or "post" not in data:
                    continue
                sent = float(data["post"]["body"].removeprefix("t="))
                self.latencies.append((now - sent) * 1000)


async def main(url: str, count: int, probes: int) -> None:
    tasks = []
    for n in range(count - probes):
        tasks.append(asyncio.create_task(raw_socket(url)))
        if n % 200 == 199:
            await asyncio.sleep(0.05)  # do not flood the accept queue
    probe_list = [Probe() for _ in range(probes)]
    tasks += [asyncio.create_task(p.run(url)) for p in probe_list]
    await asyncio.sleep(1)
    failed = sum(1 for t in tasks if t.done())
    print(json.dumps({"connected": count - failed}), flush=True)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        for p in probe_list:
            p.latencies.clear()
        await asyncio.sleep(float(line.split()[1]))
        latencies = [x for p in probe_list for x in p.latencies]
        alive = sum(1 for t in tasks if not t.done())
        print(json.dumps({"latencies_ms": latencies, "alive": alive}), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
