"""Bad frames, tokens, origins and slow readers never affect the other connections."""

import contextlib

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from shared.contract import events as m
from shared.contract.envelope import new_event_id
from shared.runtime.topics import TopicNames
from tests.factories import public_post
from tests.integration.kafka_tools import wait_until
from tests.integration.net import with_token


async def test_bad_frames_get_error_frames_and_the_connection_stays(gateways):
    gateway = await gateways.start()
    socket = await gateways.socket(gateway)
    cases = [
        ("{not json", "bad_json", None),
        ({"type": "dance"}, "unknown_type", "type"),
        ([1, 2], "unknown_type", "type"),
        ({"type": "subscribe", "channel": "everything"}, "bad_frame", "channel"),
        ({"type": "subscribe", "channel": "feed", "filters": {"kinds": ["gift"]}}, "bad_frame",
         "filters.kinds.0"),
        ({"type": "location", "lat": 91, "lon": 0}, "bad_frame", "lat"),
        ({"type": "subscribe", "channel": "feed", "surprise": 1}, "bad_frame", "surprise"),
        ({"type": "unsubscribe", "channel": "feed"}, "not_subscribed", "channel"),
    ]  # fmt: skip
    for frame, code, field in cases:
        count = len(socket.of_type("error"))
        await socket.send(frame)
        await socket.wait_for(lambda s, n=count: len(s.of_type("error")) > n, 5, str(frame))
        error = socket.of_type("error")[-1]
        assert (error["code"], error.get("field")) == (code, field), frame
    await socket.send({"type": "ping"})
    await socket.wait_for(lambda s: bool(s.of_type("pong")))
    await socket.subscribe("feed")
    post = public_post("after-errors")
    await gateways.put(m.PostCreated(post_id=post.post_id, post=post))
    await socket.wait_for(lambda s: len(s.events()) == 1)


async def test_a_frame_over_the_limit_closes_with_1009_and_others_go_on(gateways):
    gateway = await gateways.start()
    big, calm = await gateways.socket(gateway), await gateways.socket(gateway)
    await calm.subscribe("feed")
    await big.send({"type": "ping", "padding": "x" * 20_000})
    await big.wait_for(lambda s: s.closed_with is not None)
    assert big.closed_with == 1009
    post = public_post("still-here")
    await gateways.put(m.PostCreated(post_id=post.post_id, post=post))
    await calm.wait_for(lambda s: len(s.events()) == 1)


async def test_flooding_gets_rate_limited_then_closed(gateways):
    gateway = await gateways.start(frames_per_s=5, frame_burst=5)
    socket = await gateways.socket(gateway)
    for _ in range(8):
        await socket.send({"type": "ping"})
    await socket.wait_for(lambda s: bool(s.of_type("error")))
    assert socket.of_type("error")[0]["code"] == "rate_limited"
    for _ in range(30):
        await socket.send({"type": "ping"})
    await socket.wait_for(lambda s: s.closed_with is not None)
    assert socket.closed_with == 4029


async def test_bad_tokens_and_foreign_origins_are_refused_at_the_handshake(gateways):
    gateway = await gateways.start()
    for url, kwargs, status in [
        (gateway.url, with_token("not.a.token"), 401),
        (gateway.url, {"origin": "https://evil.example"}, 403),
    ]:
        with pytest.raises(InvalidStatus) as refused:
            await connect(url, **kwargs)
        assert refused.value.response.status_code == status
    allowed = await gateways.socket(gateway, origin="http://127.0.0.1:18004")
    await allowed.send({"type": "ping"})
    await allowed.wait_for(lambda s: bool(s.of_type("pong")))


async def test_a_stalled_client_is_dropped_and_the_others_keep_their_pace(gateways):
    from services.gateway.handlers.hub import DROPPED_SLOW

    dropped_before = DROPPED_SLOW._value.get()
    gateway = await gateways.start(send_buffer_frames=50)
    quick = await gateways.socket(gateway)
    await quick.subscribe("feed")
    # A client that subscribes, then never reads: the kernel's buffers fill (a few MB
    # on loopback), then the gateway's 50 frames, and it is closed.
    stalled = await connect(gateway.url)
    await stalled.send('{"type": "subscribe", "channel": "feed"}')
    hub = gateway.gateway.hub
    await wait_until(lambda: hub.index.count == 2, 10, "both sockets subscribed")
    stalled.transport.pause_reading()

    count = 2_000
    body = "x" * 4_000
    events = []
    for n in range(count):
        post = public_post(f"flood{n:05d}", body=body)
        events.append((m.PostCreated(post_id=post.post_id, post=post), new_event_id()))
    await gateways.publisher.publish_many(events, names=TopicNames(gateways.suffix))
    await quick.wait_for(lambda s: len(s.events()) == count, 60, "all frames on the quick one")
    await wait_until(lambda: DROPPED_SLOW._value.get() > dropped_before, 10, "a drop")
    assert len(gateway.gateway.hub.clients) == 1  # only the quick one is left
    stalled.transport.resume_reading()
    with contextlib.suppress(Exception):
        async for _ in stalled:
            pass
    assert stalled.close_code == 4008
