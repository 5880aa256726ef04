"""Write one text frame to many sockets, framed once.

``websockets.broadcast`` frames the message again for every socket (a ``Frame`` object,
its header, the extension hooks): about 3 µs per socket on this machine, as much as the
``send`` system call itself. A server frame is unmasked, and the gateway negotiates no
extension (``compression=None``), so the bytes are the same for every socket: they are
built once and handed to each transport. The checks ``broadcast`` makes per socket are
kept: only open connections, and none in the middle of a fragmented message (the
gateway never sends one, but a frame must not land inside it). A socket whose unsent
data is over a limit is not written: the caller queues the frame for it instead, so a
slow reader's backlog stays in its bounded queue, where it is counted.
"""

from __future__ import annotations

from collections.abc import Sequence

from websockets.asyncio.connection import Connection, broadcast
from websockets.frames import Frame, Opcode
from websockets.protocol import OPEN


def frame_bytes(message: bytes) -> bytes:
    """The wire form of a final, unmasked text frame carrying ``message``."""
    return Frame(Opcode.TEXT, message).serialize(mask=False, extensions=[])


# Above this much unsent data on a socket, frames wait in the client's bounded queue.
WRITE_BUFFER_LIMIT_BYTES = 64 * 1024


def write_text(connections: Sequence[Connection], message: bytes) -> list[int]:
    """Send ``message`` (UTF-8 JSON) as one text frame to each open connection with
    room in its write buffer; returns the positions of those without room (unwritten).
    Connections that are closing are skipped: they will get nothing more."""
    wire = frame_bytes(message)
    full = []
    for position, connection in enumerate(connections):
        if connection.protocol.state is not OPEN or connection.send_in_progress is not None:
            continue
        transport = connection.transport
        if transport.get_write_buffer_size() > WRITE_BUFFER_LIMIT_BYTES:
            full.append(position)
        elif connection.protocol.extensions:
            # Never the gateway's own sockets; kept so the function is right for any.
            broadcast([connection], message, text=True)
        else:
            transport.write(wire)
    return full
