"""What used to answer 500 answers the right 4xx, naming the field, and writes nothing:
ids that cannot be ids, strings JSON can carry but PostgreSQL or the 422 body could not
(a NUL, a lone surrogate), numbers that are not numbers; and registrations are limited
per address (a trusted proxy's word only) and overall."""

from __future__ import annotations

import json

import pytest

from tests.integration.posts.conftest import PASSWORD, post_body

PATHS = [
    ("GET", "/posts/{bad}"), ("GET", "/posts/{bad}/replies"), ("GET", "/members/{bad}"),
    ("GET", "/conversations/{bad}"), ("GET", "/conversations/{bad}/messages"),
    ("POST", "/posts/{bad}/conversations"), ("POST", "/posts/{bad}/withdraw"),
    ("POST", "/posts/{bad}/reports"), ("POST", "/posts/{bad}/replies"),
    ("PUT", "/me/blocks/{bad}"), ("DELETE", "/posts/{bad}"),
]  # fmt: skip


@pytest.mark.parametrize("bad", ["%00", "%ED%A0%80", "a%2Fb", "x" * 65])
async def test_an_id_that_cannot_be_one_is_a_422_naming_it(posts, bad):
    member = await posts.member()
    for method, path in PATHS:
        body = {"reason": "x", "body": "x"} if method == "POST" else None
        response = await posts.client.request(
            method, path.format(bad=bad), headers=member.auth, json=body
        )
        assert response.status_code in (404, 422), (method, path, response.text)
        if response.status_code == 422:
            errors = response.json()["detail"]
            assert any(e["loc"][0] == "path" for e in errors), response.text


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('"title": "\\ud800 lone surrogate"', "title"),
        ('"title": "NUL \\u0000 inside"', "title"),
        ('"location": {"lat": NaN, "lon": 2.35}', "lat"),
        ('"location": {"lat": Infinity, "lon": 2.35}', "lat"),
        ('"radius_m": 1e400', "radius_m"),
    ],
)
async def test_values_json_or_postgresql_cannot_carry_are_a_422(posts, raw, field):
    member = await posts.member()
    base = json.dumps(post_body())[1:-1]
    key = raw.split(":")[0]
    fields = [part for part in base.split(", ") if not part.startswith(key)]
    if key == '"location"':
        fields = [f for f in fields if not f.startswith('{"lat"') and '"lon"' not in f]
    text = "{" + ", ".join([*fields, raw]) + "}"
    response = await posts.client.post(
        "/posts", content=text, headers={**member.auth, "content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert field in json.dumps(response.json()["detail"])
    mine = await posts.client.get("/me/posts", headers=member.auth)
    assert mine.json()["items"] == []  # nothing half-written


async def account(n: int) -> dict:
    return {"email": f"new{n}@example.org", "password": PASSWORD, "display_name": f"New {n}"}


async def test_registrations_are_limited_per_address_and_only_a_trusted_proxy_is_heard(
    make_posts,
):
    posts = await make_posts(registrations_per_address=2, trusted_proxies=("10.0.0.1",))
    c = posts.client
    for n in range(2):
        assert (await c.post("/auth/register", json=await account(n))).status_code == 201
    refused = await c.post("/auth/register", json=await account(2))
    assert refused.status_code == 429
    assert refused.json()["detail"]["code"] == "registrations_limited"
    assert int(refused.headers["Retry-After"]) > 0
    # The peer (127.0.0.1 here) is no trusted proxy: its X-Forwarded-For is not believed.
    spoofed = await c.post("/auth/register", json=await account(3),
                           headers={"X-Forwarded-For": "203.0.113.9"})  # fmt: skip
    assert spoofed.status_code == 429
    # Nor was an account made by a refused registration.
    login = await c.post("/auth/login", json={"email": "new2@example.org", "password": PASSWORD})
    assert login.status_code == 401
    # Behind a trusted proxy, each client it names has a bucket of its own.
    behind = await make_posts(registrations_per_address=2, trusted_proxies=("127.0.0.1",))
    other = await behind.client.post("/auth/register", json=await account(4),
                                     headers={"X-Forwarded-For": "203.0.113.9"})  # fmt: skip
    assert other.status_code == 201


async def test_registrations_are_limited_overall(make_posts):
    posts = await make_posts(registrations_per_minute=3)
    statuses = [
        (await posts.client.post("/auth/register", json=await account(n))).status_code
        for n in range(4)
    ]
    assert statuses == [201, 201, 201, 429]


async def test_metrics_need_the_operators_token_when_one_is_set(make_posts):
    posts = await make_posts(metrics_token="s3cret-token")
    assert (await posts.client.get("/metrics")).status_code == 401
    wrong = await posts.client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    right = await posts.client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert right.status_code == 200 and "entraide_outbox" in right.text
    assert "/metrics" not in (await posts.client.get("/openapi.json")).json()["paths"]
