"""The whole system, as members would use it: posts, matches, replies, an urgent alert
and its end on the members' sockets, and a partner's signed webhook.

One process per service (posts, matching, notifications, gateway), started as
`entraide up` starts them, on the real Kafka, PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from tests.integration.gateway.conftest import Socket
from tests.integration.kafka_tools import eventually, wait_until
from tests.integration.net import with_token
from tests.integration.notifications.conftest import receiver  # noqa: F401 (a fixture)

SERVICES = ("posts", "matching", "notifications", "gateway")

PASSWORD = "correct horse battery"
VILLETTE = {"lat": 48.8937, "lon": 2.3934}
METRES_PER_DEGREE = 111_195


def north(point: dict, metres: float) -> dict:
    return {"lat": point["lat"] + metres / METRES_PER_DEGREE, "lon": point["lon"]}


class Members:
    def __init__(self, http: httpx.AsyncClient, domain: str) -> None:
        self.http = http
        self.domain = domain
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, str] = {}

    async def join(self, name: str, **profile) -> str:
        email = f"{name}@{self.domain}"
        body = {"email": email, "password": PASSWORD, "display_name": name, **profile}
        registered = await self.http.post("/auth/register", json=body)
        assert registered.status_code == 201, registered.text
        login = await self.http.post("/auth/login", json={"email": email, "password": PASSWORD})
        self.tokens[name] = login.json()["access_token"]
        self.ids[name] = registered.json()["id"]
        return self.tokens[name]

    def auth(self, name: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[name]}"}


def post(kind: str, title: str, where: dict, **fields) -> dict:
    return {"kind": kind, "category": "tickets_events", "title": title, "language": "fr",
            "body": "Au prix d'achat, concert samedi", "location": where, "radius_m": 5000,
            **fields}  # fmt: skip


def notifications(socket: Socket, reason: str) -> list[dict]:
    return [f["event"]["data"] for f in socket.events("notifications")
            if f["event"]["data"]["reason"] == reason]  # fmt: skip


@pytest.mark.timeout(240)
async def test_members_and_a_partner_use_the_whole_system(system, receiver, unique):  # noqa: F811
    from websockets.asyncio.client import connect

    for name in SERVICES:
        await asyncio.to_thread(system.start, name, system.ports.get(name))
    posts_http = httpx.AsyncClient(base_url=system.url("posts"), timeout=10)
    inbox_http = httpx.AsyncClient(base_url=system.url("notifications"), timeout=10)
    members = Members(posts_http, f"{unique}.example.org")

    near = north(VILLETTE, 100)
    for name, profile in [
        ("amine", {}), ("maya", {}), ("yanis", {}),
        ("lea", {"home": near, "urgent_alerts_consent": True}),  # consents, 100 m away
        ("sam", {"home": north(VILLETTE, 30_000), "urgent_alerts_consent": True}),  # far
        ("noe", {"home": near}),  # near, but never said yes
        ("asso", {}),
    ]:  # fmt: skip
        await members.join(name, **profile)
    # The association is a verified partner (a moderator's decision, done in the database).
    conn = await asyncpg.connect(system.env["ENTRAIDE_POSTGRES_DSN"])
    await conn.execute(
        f'UPDATE "{system.env["ENTRAIDE_POSTGRES_SCHEMA"]}".accounts SET role = \'partner\''
        " WHERE id = $1", members.ids["asso"],
    )  # fmt: skip
    await conn.close()
    login = await posts_http.post("/auth/login", json={"email": f"asso@{members.domain}",
                                                        "password": PASSWORD})  # fmt: skip
    members.tokens["asso"] = login.json()["access_token"]
    hook = await inbox_http.post(
        "/v1/webhooks", headers=members.auth("asso"),
        json={"url": receiver.url, "filters": {"categories": ["tickets_events"]}},
    )  # fmt: skip
    assert hook.status_code == 201, hook.text
    secret = hook.json()["secret"]

    gateway = f"ws://127.0.0.1:{system.ports['gateway']}/ws"
    sockets = {}
    for name in ("amine", "maya", "lea", "sam", "noe"):
        sockets[name] = Socket(await connect(gateway, **with_token(members.tokens[name])))
        await sockets[name].subscribe("notifications")
    # Lea's device also says where she is (the gateway forwards it to notifications).
    await sockets["lea"].send({"type": "location", **near})

    # A asks, B offers: both hear of the match on their sockets.
    asking = post("request", "Cherche deux places concert samedi", VILLETTE)
    request = await posts_http.post("/posts", headers=members.auth("amine"), json=asking)
    assert request.status_code == 201, request.text
    offering = post("offer", "Deux places concert samedi prix coûtant", north(VILLETTE, 800))
    offer = await posts_http.post("/posts", headers=members.auth("maya"), json=offering)
    assert offer.status_code == 201, offer.text
    for name in ("amine", "maya"):
        await sockets[name].wait_for(
            lambda s: bool(notifications(s, "match")), 60, f"{name}'s match"
        )

    # Whichever post matching read second made the match (the two posts are on different
    # partitions, so that is usually, not always, the offer): its trace id, returned by
    # the API, is in every service's log, from the HTTP request to the socket.
    traces = {r.headers["traceparent"].split("-")[1] for r in (request, offer)}
    await wait_until(lambda: any(services_logging(system, t) == set(SERVICES) for t in traces),
                     20, f"trace {' or '.join(sorted(traces))} in every service's log")  # fmt: skip

    # B replies; A, on the thread, sees it live (and is notified).
    request_id = request.json()["id"]
    await sockets["amine"].subscribe(f"post:{request_id}")
    answer = {"body": "Elles sont à toi", "intent": "can_help"}
    reply = await posts_http.post(
        f"/posts/{request_id}/replies", headers=members.auth("maya"), json=answer
    )
    assert reply.status_code == 201, reply.text
    await sockets["amine"].wait_for(lambda s: bool(s.events(f"post:{request_id}")), 30, "the reply")
    await sockets["amine"].wait_for(lambda s: bool(notifications(s, "reply")), 30, "reply notice")

    # C's urgent request: the consenting member nearby is alerted, nobody else.
    lost = await posts_http.post("/posts", headers=members.auth("yanis"), json={
        **post("request", "Mon petit frère perdu près de la grande scène", VILLETTE),
        "category": "find_a_person", "urgency": "urgent", "radius_m": 1000,
    })  # fmt: skip
    assert lost.status_code == 201, lost.text
    lost_id = lost.json()["id"]
    await sockets["lea"].wait_for(lambda s: bool(notifications(s, "urgent_alert")), 60, "the alert")
    (alert,) = notifications(sockets["lea"], "urgent_alert")
    # How far: a coarse bucket from the public cell, never finer (ADR 0002).
    assert alert["post_id"] == lost_id and alert["distance_m"] in (500, 1_000)

    # C resolves: everyone alerted is told.
    resolved = await posts_http.post(f"/posts/{lost_id}/resolve", headers=members.auth("yanis"),
                                     json={"outcome": "helped"})  # fmt: skip
    assert resolved.status_code == 200, resolved.text
    await sockets["lea"].wait_for(lambda s: bool(notifications(s, "urgent_alert_resolved")), 60,
                                  "the end of the alert")  # fmt: skip
    for name in ("sam", "noe"):
        assert notifications(sockets[name], "urgent_alert") == []

    # The partner got the signed public events of its filter (the two ticket posts).
    def delivered() -> set[str]:
        got = set()
        for headers, body, status in receiver.received:
            payload = Webhook(secret).verify(body, headers)
            if status < 300 and payload["type"] == "org.entraide.post.created.v1":
                got.add(payload["data"]["post_id"])
        return got

    await wait_until(lambda: delivered() >= {request_id, offer.json()["id"]}, 30, "webhooks")
    assert lost_id not in delivered()  # find_a_person is outside its filter
    body = json.loads(receiver.received[0][1])
    assert (
        "point" not in json.dumps(body) and body["data"]["post"]["location"]["precision_m"] == 1000
    )

    async def lea_reasons() -> set[str]:
        inbox = await inbox_http.get("/v1/inbox", headers=members.auth("lea"))
        return {i["reason"] for i in inbox.json()["items"]}

    expected = {"urgent_alert", "urgent_alert_resolved"}

    async def lea_has_both() -> bool:
        return await lea_reasons() >= expected

    # The inbox is written just after the push (ADR 0007): give it that moment.
    await eventually(lea_has_both, 10, "lea's inbox")
    assert await lea_reasons() == expected
    for socket in sockets.values():
        await socket.close()
    await posts_http.aclose()
    await inbox_http.aclose()


def services_logging(system, trace: str) -> set[str]:
    return {p.name for p in system.processes if trace in p.log.read_text(errors="replace")}
