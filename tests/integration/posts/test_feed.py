"""The feed over HTTP: filters, stable cursor pages, and what the public never sees."""

from __future__ import annotations

import json

from shared.contract import geo
from tests.integration.posts.conftest import post_body

# Places from real situations: a festival in Paris, a station in Lyon, a shelter in Marseille.
PARIS = {"lat": 48.8937, "lon": 2.3934}
PARIS_NEAR = {"lat": 48.8972, "lon": 2.3890}
LYON = {"lat": 45.7605, "lon": 4.8597}


async def test_filters_by_kind_category_place_and_words(posts):
    c = posts.client
    member = await posts.member()

    async def make(**changes) -> str:
        response = await c.post("/posts", json=post_body(**changes), headers=member.auth)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    tickets = await make(title="Deux places concert samedi", body="Prix coûtant", language="fr")
    car = await make(kind="offer", category="vehicles", title="Car for the weekend", location=LYON)
    bed = await make(
        category="housing", title="A bed tonight for a homeless man", location=PARIS_NEAR
    )

    async def ids(**params) -> list[str]:
        response = await c.get("/posts", params=params)
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()["items"]]

    assert await ids() == [bed, car, tickets]  # newest first
    assert await ids(kind="offer") == [car]
    assert await ids(category=["housing", "tickets_events"]) == [bed, tickets]
    assert await ids(lat=PARIS["lat"], lon=PARIS["lon"], within_m=3000) == [bed, tickets]
    assert await ids(lat=LYON["lat"], lon=LYON["lon"], within_m=3000) == [car]
    assert await ids(q="concert") == [tickets]
    assert await ids(q="bed homeless") == [bed]
    near = (await c.get("/posts", params={"lat": PARIS["lat"], "lon": PARIS["lon"]})).json()
    assert all(isinstance(p["distance_m"], int) for p in near["items"])

    resolved = await c.post(
        f"/posts/{car}/resolve", json={"outcome": "helped"}, headers=member.auth
    )
    assert resolved.status_code == 200
    assert await ids() == [bed, tickets]
    assert await ids(status=["resolved"]) == [car]


async def test_cursor_pages_stay_stable_while_new_posts_arrive(make_posts):
    posts = await make_posts(posts_per_hour=1000)
    c = posts.client
    member = await posts.member()
    created = []
    for i in range(12):
        response = await c.post(
            "/posts", json=post_body(title=f"Request number {i}"), headers=member.auth
        )
        created.append(response.json()["id"])

    page1 = (await c.get("/posts", params={"limit": 5})).json()
    for i in range(4):  # new posts land between two page reads
        await c.post("/posts", json=post_body(title=f"Newer request {i}"), headers=member.auth)
    page2 = (await c.get("/posts", params={"limit": 5, "cursor": page1["next_cursor"]})).json()
    page3 = (await c.get("/posts", params={"limit": 5, "cursor": page2["next_cursor"]})).json()

    seen = [p["id"] for p in page1["items"] + page2["items"] + page3["items"]]
    assert seen == list(reversed(created))
    assert page3["next_cursor"] is None


async def test_the_public_never_sees_the_exact_point_or_personal_fields(posts):
    """Scans every public HTTP answer and every public event for the exact coordinates
    and for personal fields; the author alone sees the exact point."""
    c = posts.client
    author = await posts.member("amine", home={"lat": 48.85, "lon": 2.35})
    helper = await posts.member("lea")
    exact = {"lat": 48.893712, "lon": 2.393417}
    urgent = post_body(category="find_a_person", urgency="urgent", location=exact,
                       title="Lost my brother near the stage")  # fmt: skip
    post_id = (await c.post("/posts", json=urgent, headers=author.auth)).json()["id"]
    await c.post(f"/posts/{post_id}/replies", json={"body": "On my way", "intent": "can_help"},
                 headers=helper.auth)  # fmt: skip
    await c.patch(f"/posts/{post_id}", json={"body": "Red cap, blue jacket"}, headers=author.auth)

    public_texts = [
        (await c.get("/posts")).text,
        (await c.get("/posts", params={"lat": 48.8937, "lon": 2.3934})).text,
        (await c.get(f"/posts/{post_id}")).text,
        (await c.get(f"/posts/{post_id}", headers=helper.auth)).text,
        (await c.get(f"/posts/{post_id}/replies")).text,
    ]
    events = await posts.events("posts.v1", 2) + await posts.events("replies.v1", 1)
    public_texts += [json.dumps(d.envelope.model_dump(mode="json")) for d in events]

    forbidden = ["48.893712", "2.393417", "exact_location", "password", author.email,
                 helper.email, "email", "home"]  # fmt: skip
    for text in public_texts:
        for needle in forbidden:
            assert needle not in text, f"{needle!r} leaked in {text[:200]}"
    centre = geo.cell_centre(*geo.cell_of(exact["lat"], exact["lon"]))
    assert json.loads(public_texts[2])["location"] == {
        "lat": centre[0],
        "lon": centre[1],
        "precision_m": geo.CELL_SIZE_M,
    }

    mine = (await c.get(f"/posts/{post_id}", headers=author.auth)).json()
    assert mine["exact_location"] == exact
    # The exact point does leave, but only on the restricted topic, for matching.
    [placed] = await posts.events("urgent-requests.v1", 1)
    assert (placed.event.point.lat, placed.event.point.lon) == (exact["lat"], exact["lon"])
