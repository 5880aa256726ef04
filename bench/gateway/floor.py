"""The floor: the least Python can do to fan one Kafka record out to every socket.

    python -m bench.gateway.floor PORT TOPIC BOOTSTRAP

No WebSocket library: threads accept and answer the handshake by hand; then each
record is framed once and written with one ``send`` system call per socket, no event
loop transport, no buffer (a socket that has no room drops the frame and is counted).
Each socket joins the list at a random place, as in the other servers' sets: the
probes, which connect first, must not be the first served.
Below this, the time goes to the kernel: what a 2-core machine can deliver at all.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import random
import socket
import sys
import threading

from aiokafka import AIOKafkaConsumer

WEBSOCKET_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3
LISTEN_BACKLOG = 4_096
# Handshakes side by side: the 100 probes connect while the raw clients do, and give up
# if not answered within a second (bench/gateway/clients.py).
ACCEPT_THREADS = 16
SWITCHING = (
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Accept: "
)

sockets: list[socket.socket] = []


def accept_forever(listener: socket.socket) -> None:
    while True:
        sock, _ = listener.accept()
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = sock.recv(4_096)
            if not chunk:
                break
            request += chunk
        key = next((line.split(b":", 1)[1].strip() for line in request.split(b"\r\n")
                    if line.lower().startswith(b"sec-websocket-key:")), None)  # fmt: skip
        if key is None:
            sock.close()
            continue
        accept = base64.b64encode(hashlib.sha1(key + WEBSOCKET_GUID).digest())
        sock.sendall(SWITCHING + accept + b"\r\n\r\n")
        sock.setblocking(False)
        sockets.insert(random.randrange(len(sockets) + 1), sock)  # one call: atomic (GIL)


def text_frame(payload: bytes) -> bytes:
    size = len(payload)
    if size < 126:
        header = bytes([0x81, size])
    elif size < 1 << 16:
        header = bytes([0x81, 126]) + size.to_bytes(2, "big")
    else:
        header = bytes([0x81, 127]) + size.to_bytes(8, "big")
    return header + payload


async def main(port: int, topic: str, bootstrap: str) -> None:
    listener = socket.create_server(("127.0.0.1", port), backlog=LISTEN_BACKLOG)
    for _ in range(ACCEPT_THREADS):
        threading.Thread(target=accept_forever, args=(listener,), daemon=True).start()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="latest", fetch_max_wait_ms=50
    )
    await consumer.start()
    dropped = 0
    while True:
        batch = await consumer.getmany(timeout_ms=100)
        for records in batch.values():
            for record in records:
                frame = text_frame(record.value)
                for sock in list(sockets):
                    try:
                        sent = sock.send(frame)
                    except BlockingIOError:
                        dropped += 1
                        continue
                    except OSError:
                        sent = 0
                    if sent < len(frame):  # gone, or half a frame: its stream is broken
                        sockets.remove(sock)
                        sock.close()
        if dropped:
            print("dropped", dropped, flush=True)
            dropped = 0


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
