"""write_text on real sockets: every open connection gets the frame, a closed one is
skipped without an error, and one without room in its write buffer is reported."""

import asyncio
from contextlib import asynccontextmanager

from websockets.asyncio.client import connect
from websockets.asyncio.server import serve

from services.gateway.adapters import frames
from services.gateway.adapters.frames import write_text

SMALL = b'{"type":"event","n":1}'
# Over 65,535 bytes: the frame's 64-bit length form.
LARGE = b'{"type":"event","body":"' + b"y" * 70_000 + b'"}'


@asynccontextmanager
async def connected(count: int):
    """``count`` client sockets on a local server: (server side, client side) lists, in
    the same order."""
    accepted = []
    all_in, done = asyncio.Event(), asyncio.Event()

    async def handler(connection):
        accepted.append(connection)
        if len(accepted) == count:
            all_in.set()
        await done.wait()

    async with serve(handler, "127.0.0.1", 0, compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        clients = [await connect(f"ws://127.0.0.1:{port}", compression=None) for _ in range(count)]
        await asyncio.wait_for(all_in.wait(), 5)
        by_address = {c.local_address: c for c in clients}
        try:
            yield accepted, [by_address[a.remote_address] for a in accepted]
        finally:
            done.set()
            for client in clients:
                await client.close()


async def test_write_text_reaches_every_open_socket_and_skips_a_closed_one():
    async with connected(3) as (accepted, clients):
        await accepted[0].close()
        assert write_text(accepted, SMALL) == []
        assert write_text(accepted, LARGE) == []
        received = [[await asyncio.wait_for(c.recv(), 5) for _ in range(2)] for c in clients[1:]]
    assert received == [[SMALL.decode(), LARGE.decode()]] * 2
    assert clients[0].close_code == 1000


async def test_sockets_without_room_are_reported_not_written(monkeypatch):
    async with connected(2) as (accepted, clients):
        # Every buffer counts as full: the frame is left to the caller's queue.
        monkeypatch.setattr(frames, "WRITE_BUFFER_LIMIT_BYTES", -1)
        assert write_text(accepted, SMALL) == [0, 1]
        monkeypatch.undo()
        assert write_text(accepted, LARGE) == []
        received = [await asyncio.wait_for(client.recv(), 5) for client in clients]
    assert received == [LARGE.decode()] * 2
