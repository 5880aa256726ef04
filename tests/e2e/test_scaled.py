"""The whole system with two processes of each service, one of each killed with -9 in
the middle: nothing the system acknowledged is lost, nothing is told twice.

The killed matching worker's partitions move to the survivor (after its session times
out); the posts made after the kills must still match. This once failed in CI, before
services/matching/adapters/faust_recovery.py fixed faust's takeover race.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.e2e.test_system import SERVICES, VILLETTE, Members, north, notifications, post
from tests.integration.gateway.conftest import Socket
from tests.integration.net import with_token


@pytest.mark.timeout(300)
async def test_two_of_each_and_one_of_each_killed(system, unique):
    for name in SERVICES:
        await asyncio.to_thread(system.start, name)
        await asyncio.to_thread(system.start, name)
    gateways = [f"ws://127.0.0.1:{p.port}/ws" for p in system.of("gateway")]
    posts = [httpx.AsyncClient(base_url=p.url, timeout=10) for p in system.of("posts")]
    members = Members(posts[0], f"{unique}.example.org")
    near = north(VILLETTE, 120)
    names = [f"m{n}" for n in range(8)]
    for name in names:
        await members.join(name, home=near, urgent_alerts_consent=True)

    # Each member on one of the two gateways.
    sockets: dict[str, Socket] = {}
    on_gateway: dict[str, str] = {}
    for n, name in enumerate(names):
        on_gateway[name] = gateways[n % 2]
        sockets[name] = Socket(await connect(on_gateway[name], **with_token(members.tokens[name])))
        await sockets[name].subscribe("notifications")

    # Before the kills: four pairs that match (request and offer), over both posts APIs.
    pairs = [(names[i], names[i + 1]) for i in range(0, 8, 2)]
    for n, (asking, offering) in enumerate(pairs[:2]):
        api = posts[n % 2]
        title = f"Deux places concert samedi lot {n}"
        for who, kind in ((asking, "request"), (offering, "offer")):
            created = await api.post("/posts", headers=members.auth(who),
                                     json=post(kind, title, VILLETTE))  # fmt: skip
            assert created.status_code == 201, created.text
    for asking, offering in pairs[:2]:
        for who in (asking, offering):
            await sockets[who].wait_for(lambda s: bool(notifications(s, "match")), 60, who)

    # Kill -9 one process of each service, in the middle of things.
    killed_gateway = f"ws://127.0.0.1:{system.of('gateway')[0].port}/ws"
    for name in SERVICES:
        await asyncio.to_thread(system.kill, system.of(name)[0])
    survivors = {name: system.of(name)[0] for name in SERVICES}
    api = httpx.AsyncClient(base_url=survivors["posts"].url, timeout=10)
    members.http = api
    live_gateway = f"ws://127.0.0.1:{survivors['gateway'].port}/ws"
    # The clients of the killed gateway see their socket drop and reconnect to the other
    # with their last cursor: what they missed comes first.
    for name, socket in list(sockets.items()):
        if on_gateway[name] != killed_gateway:
            continue
        await socket.wait_for(lambda s: s.closed_with is not None, 15, f"{name}'s socket to drop")
        cursor = socket.last_cursor()
        fresh = Socket(await connect(live_gateway, **with_token(members.tokens[name])))
        fresh.frames = list(socket.frames)
        await fresh.subscribe("notifications", cursor=cursor)
        sockets[name] = fresh

    # After the kills: two more pairs, and an urgent request near everyone.
    for n, (asking, offering) in enumerate(pairs[2:], start=2):
        title = f"Deux places concert samedi lot {n}"
        for who, kind in ((asking, "request"), (offering, "offer")):
            created = await api.post("/posts", headers=members.auth(who),
                                     json=post(kind, title, VILLETTE))  # fmt: skip
            assert created.status_code == 201, created.text
    for asking, offering in pairs[2:]:
        for who in (asking, offering):
            await sockets[who].wait_for(lambda s: bool(notifications(s, "match")), 90, who)
    await members.join("lost-child-sister")
    lost = await api.post("/posts", headers=members.auth("lost-child-sister"), json={
        **post("request", "Petit frère perdu près de la grande scène", VILLETTE),
        "category": "find_a_person", "urgency": "urgent", "radius_m": 1000,
    })  # fmt: skip
    assert lost.status_code == 201, lost.text
    for name in names:
        await sockets[name].wait_for(lambda s: bool(notifications(s, "urgent_alert")), 90, name)

    # Nothing doubled: one match notification per member and pair, one alert each.
    for name in names:
        ids = [f["event"]["id"] for f in sockets[name].events("notifications")]
        assert len(ids) == len(set(ids)), name
        assert len(notifications(sockets[name], "urgent_alert")) == 1
    for client in (*posts, api):
        await client.aclose()
    for socket in sockets.values():
        await socket.close()
