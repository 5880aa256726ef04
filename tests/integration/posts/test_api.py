"""The HTTP API as members use it, and every way it refuses bad input."""

from __future__ import annotations

import asyncio

from tests.integration.posts.conftest import PASSWORD, post_body


def field_of(response) -> str:
    detail = response.json()["detail"]
    if isinstance(detail, list):  # FastAPI's validation errors
        return str(detail[0]["loc"][-1])
    return detail["field"]


async def test_register_log_in_and_edit_the_profile(posts):
    c = posts.client
    member = await posts.member(
        "sami", languages=["fr", "en"], interests=["housing"],
        home={"lat": 43.2965, "lon": 5.3698}, urgent_alerts_consent=True,
    )  # fmt: skip
    changed = await c.patch("/me", json={"alert_radius_m": 500, "home": None}, headers=member.auth)
    assert changed.status_code == 200, changed.text
    me = changed.json()
    assert me["alert_radius_m"] == 500 and me["home"] is None and me["urgent_alerts_consent"]
    assert me["interests"] == ["housing"] and me["role"] == "member"

    duplicate = await c.post(
        "/auth/register",
        json={"email": member.email.upper(), "password": PASSWORD, "display_name": "again"},
    )
    assert duplicate.status_code == 409 and field_of(duplicate) == "email"
    wrong = await c.post("/auth/login", json={"email": member.email, "password": "nope" * 3})
    assert wrong.status_code == 401 and field_of(wrong) == "password"


async def test_bad_input_gets_a_4xx_naming_the_field(posts):
    c = posts.client
    member = await posts.member()
    cases = [
        (post_body(location={"lat": 91, "lon": 2}), "lat"),
        (post_body(title="x" * 141), "title"),
        (post_body(kind="gift"), "kind"),
        (post_body(category="weapons"), "category"),
        (post_body(radius_m=10), "radius_m"),
        (post_body(language="french"), "language"),
        (post_body(phone="+33600000000"), "phone"),
        (post_body(kind="offer", urgency="urgent"), "urgency"),
        (post_body(expires_at="2020-01-01T00:00:00Z"), "expires_at"),
        (post_body(expires_at="2030-01-01T00:00:00"), "expires_at"),
    ]
    for body, field in cases:
        response = await c.post("/posts", json=body, headers=member.auth)
        assert response.status_code == 422, (field, response.text)
        assert field_of(response) == field, response.text

    short = await c.post(
        "/auth/register", json={"email": "a@b.co", "password": "short", "display_name": "x"}
    )
    assert short.status_code == 422 and field_of(short) == "password"
    bad_query = await c.get("/posts", params={"lat": 48.8})
    assert bad_query.status_code == 422 and field_of(bad_query) == "lon"
    bad_cursor = await c.get("/posts", params={"cursor": "!!!"})
    assert bad_cursor.status_code == 422 and field_of(bad_cursor) == "cursor"
    not_json = await c.post(
        "/posts", content=b"{nope", headers={**member.auth, "content-type": "application/json"}
    )
    assert not_json.status_code == 422


async def test_a_body_over_the_cap_is_refused_with_413(posts):
    member = await posts.member()
    huge = post_body(body="x" * 70_000)
    response = await posts.client.post("/posts", json=huge, headers=member.auth)
    assert response.status_code == 413 and field_of(response) == "body"

    async def chunks():
        for _ in range(100):
            yield b"x" * 1024

    streamed = await posts.client.post(
        "/posts", content=chunks(), headers={**member.auth, "content-type": "application/json"}
    )
    assert streamed.status_code == 413


async def test_rights_and_states_give_401_403_404_and_409(posts):
    c = posts.client
    author, other = await posts.member(), await posts.member()
    anonymous = await c.post("/posts", json=post_body())
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    forged = await c.post(
        "/posts", json=post_body(), headers={"Authorization": "Bearer abc.def.ghi"}
    )
    assert forged.status_code == 401

    post_id = (await c.post("/posts", json=post_body(), headers=author.auth)).json()["id"]
    edit = await c.patch(f"/posts/{post_id}", json={"title": "Mine"}, headers=other.auth)
    assert edit.status_code == 403
    resolve = await c.post(
        f"/posts/{post_id}/resolve", json={"outcome": "helped"}, headers=other.auth
    )
    assert resolve.status_code == 403
    assert (await c.delete(f"/posts/{post_id}", headers=author.auth)).status_code == 403
    unknown = await c.post(
        "/posts/01JNOPE0000000000000000000/resolve", json={"outcome": "helped"}, headers=author.auth
    )
    assert unknown.status_code == 404 and field_of(unknown) == "post_id"
    assert (await c.get("/posts/01JNOPE0000000000000000000")).status_code == 404

    first = await c.post(
        f"/posts/{post_id}/resolve", json={"outcome": "helped"}, headers=author.auth
    )
    assert first.status_code == 200 and first.json()["status"] == "resolved"
    second = await c.post(
        f"/posts/{post_id}/resolve", json={"outcome": "helped"}, headers=author.auth
    )
    assert second.status_code == 409
    late_reply = await c.post(
        f"/posts/{post_id}/replies", json={"body": "still?"}, headers=other.auth
    )
    assert late_reply.status_code == 409


async def test_reports_hide_a_post_when_their_weight_reaches_the_threshold(make_posts):
    # Each reporter through the test's "proxy", with an address of their own.
    posts = await make_posts(trusted_proxies=("127.0.0.1",))
    c = posts.client
    author = await posts.member()
    post_id = (await c.post("/posts", json=post_body(), headers=author.auth)).json()["id"]
    reporters = [await posts.member() for _ in range(4)]
    async with posts.wiring.pool.acquire() as conn:  # a month old, confirmed: 0.75 each
        await conn.execute(
            "UPDATE accounts SET created_at = now() - interval '30 days',"
            " email_verified_at = now() WHERE id = ANY($1::text[])",
            [r.id for r in reporters],
        )

    def report(n: int):
        headers = {**reporters[n].auth, "X-Forwarded-For": f"198.51.100.{n}"}
        return c.post(f"/posts/{post_id}/reports", json={"reason": "scam"}, headers=headers)

    assert (await report(0)).status_code == 204
    assert (await report(0)).status_code == 409
    for n in (1, 2):
        assert (await report(n)).status_code == 204
    assert (await c.get(f"/posts/{post_id}")).status_code == 200  # 2.25 of 3
    assert (await report(3)).status_code == 204
    assert (await c.get(f"/posts/{post_id}")).status_code == 404
    feed = (await c.get("/posts", params={"limit": 100})).json()
    assert post_id not in [p["id"] for p in feed["items"]]
    # Its author still sees it (to appeal), removed.
    mine = await c.get(f"/posts/{post_id}", headers=author.auth)
    assert mine.status_code == 200 and mine.json()["status"] == "removed"


async def test_rate_limits_answer_429_with_retry_after(make_posts):
    posts = await make_posts(posts_per_hour=3, logins_per_window=2)
    member = await posts.member()  # one log-in used
    for _ in range(3):
        assert (
            await posts.client.post("/posts", json=post_body(), headers=member.auth)
        ).status_code == 201
    limited = await posts.client.post("/posts", json=post_body(), headers=member.auth)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 3601
    login = {"email": member.email, "password": PASSWORD}
    assert (await posts.client.post("/auth/login", json=login)).status_code == 200
    refused = await posts.client.post("/auth/login", json=login)
    assert refused.status_code == 429 and "retry-after" in refused.headers


async def test_replies_form_an_ordered_thread(posts):
    c = posts.client
    author, helper = await posts.member(), await posts.member("helper")
    post_id = (await c.post("/posts", json=post_body(), headers=author.auth)).json()["id"]
    bodies = [f"message {i}" for i in range(7)]
    for i, body in enumerate(bodies):
        who = helper if i % 2 else author
        response = await c.post(f"/posts/{post_id}/replies", json={"body": body}, headers=who.auth)
        assert response.status_code == 201, response.text
    help_offer = await c.post(
        f"/posts/{post_id}/replies",
        json={"body": "I can", "intent": "can_help"},
        headers=helper.auth,
    )
    assert help_offer.json()["intent"] == "can_help"
    assert help_offer.json()["author"]["display_name"] == "helper"

    page1 = (await c.get(f"/posts/{post_id}/replies", params={"limit": 5})).json()
    page2 = (
        await c.get(f"/posts/{post_id}/replies", params={"after": page1["next_cursor"]})
    ).json()
    assert [r["body"] for r in page1["items"] + page2["items"]] == [*bodies, "I can"]
    assert (await c.get(f"/posts/{post_id}")).json()["reply_count"] == 8


async def test_operations_endpoints(posts):
    c = posts.client
    assert (await c.get("/healthz")).json() == {"status": "ok"}
    ready = await c.get("/readyz")
    assert ready.status_code == 200, ready.text
    await c.get("/posts")
    metrics = (await c.get("/metrics")).text
    assert (
        'entraide_http_requests_total{method="GET",route="/posts",service="posts",status="200"}'
        in metrics
    )
    assert "entraide_outbox_published_total" in metrics


async def test_posts_expire_by_themselves(posts):
    member = await posts.member()
    post_id = (await posts.client.post("/posts", json=post_body(), headers=member.auth)).json()[
        "id"
    ]
    async with posts.wiring.pool.acquire() as conn:
        await conn.execute("UPDATE posts SET expires_at = now() WHERE id = $1", post_id)
    for _ in range(100):
        if (await posts.client.get(f"/posts/{post_id}")).json()["status"] == "expired":
            break
        await asyncio.sleep(0.1)
    assert (await posts.client.get(f"/posts/{post_id}")).json()["status"] == "expired"
