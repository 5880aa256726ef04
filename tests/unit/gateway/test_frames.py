"""The gateway frames a message once; the bytes must be what websockets would send."""

import pytest
from websockets.protocol import OPEN
from websockets.server import ServerProtocol

from services.gateway.adapters.frames import frame_bytes


@pytest.mark.parametrize("length", [0, 125, 126, 65_535, 65_536, 200_000])
def test_the_frame_is_the_one_websockets_would_write(length):
    message = b"x" * length
    protocol = ServerProtocol()
    protocol.state = OPEN
    protocol.send_text(message)
    assert frame_bytes(message) == b"".join(protocol.data_to_send())
