"""Over HTTP, on the real PostgreSQL: sessions that last (the refresh cookie, its
rotation, reuse caught, log-out and password change), the gazetteer, a member's own
posts, withdrawing, resolving with who helped, and the codes the client translates."""

from __future__ import annotations

import hashlib

import httpx

from shared.contract import events as E
from tests.integration.posts.conftest import PASSWORD, PostsHarness, post_body

COOKIE = "entraide_refresh"


def browser(posts: PostsHarness) -> httpx.AsyncClient:
    """A client with its own cookie jar, as one browser is."""
    return httpx.AsyncClient(transport=posts.client._transport, base_url="http://posts.test")


async def log_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict:
    response = await client.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_session_is_renewed_with_a_rotating_cookie_and_ends_on_reuse(posts):
    member = await posts.member()
    phone, laptop = browser(posts), browser(posts)
    await log_in(phone, member.email)
    await log_in(laptop, member.email)

    set_cookie = (await phone.post("/auth/refresh")).headers["set-cookie"].lower()
    for attribute in ("httponly", "samesite=strict", "path=/auth", "max-age=2592000"):
        assert attribute in set_cookie
    first = phone.cookies[COOKIE]
    renewed = await phone.post("/auth/refresh")
    assert renewed.status_code == 200 and renewed.json()["account"]["id"] == member.id
    assert renewed.headers["cache-control"] == "no-store"
    assert phone.cookies[COOKIE] != first
    token = renewed.json()["access_token"]
    mine = await phone.get("/me/posts", headers={"Authorization": f"Bearer {token}"})
    assert mine.status_code == 200

    # The database holds hashes, never a token.
    async with posts.wiring.pool.acquire() as conn:
        hashes = {
            r["token_hash"] for r in await conn.fetch("SELECT token_hash FROM refresh_tokens")
        }
    current = phone.cookies[COOKIE]
    assert current not in hashes and hashlib.sha256(current.encode()).hexdigest() in hashes

    # Presented again at once: a race (another tab), answered in the same family.
    racing = browser(posts)
    racing.cookies.set(COOKIE, first, domain="posts.test", path="/auth")
    assert (await racing.post("/auth/refresh")).status_code == 200
    # A copy presented a minute after the exchange: the phone's whole session ends.
    async with posts.wiring.pool.acquire() as conn:
        await conn.execute(
            "UPDATE refresh_tokens SET used_at = used_at - interval '1 minute'"
            " WHERE token_hash = $1", hashlib.sha256(first.encode()).hexdigest(),
        )  # fmt: skip
    thief = browser(posts)
    thief.cookies.set(COOKIE, first, domain="posts.test", path="/auth")
    stolen = await thief.post("/auth/refresh")
    assert stolen.status_code == 401
    assert stolen.json()["detail"]["code"] == "session_over"
    assert (await phone.post("/auth/refresh")).status_code == 401
    assert (await racing.post("/auth/refresh")).status_code == 401  # the same family
    assert (await laptop.post("/auth/refresh")).status_code == 200

    # Log-out ends that session and clears the cookie.
    out = await laptop.post("/auth/logout")
    assert out.status_code == 204 and COOKIE not in laptop.cookies
    laptop.cookies.set(COOKIE, current, domain="posts.test", path="/auth")
    assert (await laptop.post("/auth/refresh")).status_code == 401
    assert (await browser(posts).post("/auth/refresh")).status_code == 401  # no cookie


async def test_a_password_change_ends_every_other_session(posts):
    member = await posts.member()
    here, elsewhere = browser(posts), browser(posts)
    token = (await log_in(here, member.email))["access_token"]
    await log_in(elsewhere, member.email)
    auth = {"Authorization": f"Bearer {token}"}
    wrong = await here.post(
        "/me/password", headers=auth,
        json={"current_password": "not it", "new_password": "a new long password"},
    )  # fmt: skip
    assert wrong.status_code == 422
    assert wrong.json()["detail"] | {"message": ""} == {
        "code": "wrong_password", "field": "current_password", "message": ""
    }  # fmt: skip
    short = await here.post(
        "/me/password", headers=auth, json={"current_password": PASSWORD, "new_password": "short"}
    )
    assert short.status_code == 422
    changed = await here.post(
        "/me/password", headers=auth,
        json={"current_password": PASSWORD, "new_password": "a new long password"},
    )  # fmt: skip
    assert changed.status_code == 200 and changed.json()["access_token"]
    assert (await elsewhere.post("/auth/refresh")).status_code == 401
    assert (await here.post("/auth/refresh")).status_code == 200
    refused = await browser(posts).post(
        "/auth/login", json={"email": member.email, "password": PASSWORD}
    )
    assert refused.json()["detail"]["code"] == "wrong_login"
    await log_in(browser(posts), member.email, "a new long password")


async def test_places_by_name_and_the_nearest(posts):
    found = (await posts.client.get("/places", params={"q": "villeurb"})).json()
    assert found[0] == {"name": "Villeurbanne", "region": "Auvergne-Rhône-Alpes",
                        "country": "FR", "lat": 45.766, "lon": 4.8795}  # fmt: skip
    names = [
        (p["name"], p["region"]) for p in (await posts.client.get("/places?q=saint-denis")).json()
    ]
    assert ("Saint-Denis", "Île-de-France") in names and ("Saint-Denis", "Reunion") in names
    # Accents and case aside, and France first: "ORLEANS" finds Orléans on the Loire.
    orleans = (await posts.client.get("/places?q=ORLEANS")).json()[0]
    assert (orleans["name"], orleans["region"]) == ("Orléans", "Centre-Val de Loire")
    nearest = (await posts.client.get("/places/nearest?lat=48.8937&lon=2.3934")).json()
    # La Villette's north-east corner: the town across the ring road is the nearest.
    assert (nearest["name"], nearest["country"]) == ("Pantin", "FR")
    assert (await posts.client.get("/places/nearest?lat=0&lon=-150")).json() is None  # ocean
    for bad in ("/places", "/places?q=", "/places/nearest?lat=91&lon=0"):
        refused = await posts.client.get(bad)
        assert refused.status_code == 422, bad


async def test_the_author_withdraws_and_resolves_with_who_helped(posts):
    author, helper, stranger = await posts.member(), await posts.member(), await posts.member()
    created = await posts.client.post("/posts", json=post_body(), headers=author.auth)
    post_id = created.json()["id"]
    assert created.json()["author"]["display_name"]

    # Resolve with who helped: only someone who replied.
    reply = {"body": "I have two, face value.", "intent": "can_help"}
    assert (await posts.client.post(f"/posts/{post_id}/replies", json=reply,
                                    headers=helper.auth)).status_code == 201  # fmt: skip
    refused = await posts.client.post(
        f"/posts/{post_id}/resolve", headers=author.auth,
        json={"outcome": "helped", "helped_by": [stranger.id]},
    )  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["detail"]["code"] == "not_a_replier"
    resolved = await posts.client.post(
        f"/posts/{post_id}/resolve", headers=author.auth,
        json={"outcome": "helped", "helped_by": [helper.id]},
    )  # fmt: skip
    assert resolved.status_code == 200 and resolved.json()["helped_by"] == [helper.id]

    # Withdraw: the author's own end. Gone for others, kept in her own list.
    second = (await posts.client.post("/posts", json=post_body(), headers=author.auth)).json()
    assert (await posts.client.post(f"/posts/{second['id']}/withdraw",
                                    headers=helper.auth)).status_code == 403  # fmt: skip
    withdrawn = await posts.client.post(f"/posts/{second['id']}/withdraw", headers=author.auth)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert (
        await posts.client.get(f"/posts/{second['id']}", headers=helper.auth)
    ).status_code == 404
    assert (await posts.client.get(f"/posts/{second['id']}")).status_code == 404
    assert (
        await posts.client.get(f"/posts/{second['id']}", headers=author.auth)
    ).status_code == 200
    feed = (await posts.client.get("/posts", params={"status": ["open", "resolved"]})).json()
    assert second["id"] not in {p["id"] for p in feed["items"]}
    assert (await posts.client.get("/posts?status=withdrawn")).status_code == 422
    mine = (await posts.client.get("/me/posts", headers=author.auth)).json()["items"]
    assert [(p["id"], p["status"]) for p in mine] == [
        (second["id"], "withdrawn"), (post_id, "resolved")
    ]  # fmt: skip
    assert "exact_location" in mine[0]
    assert (await posts.client.get("/me/posts", headers=helper.auth)).json()["items"] == []

    events = await posts.events("posts.v1", 4)
    by_type = {type(e.event): e.event for e in events}
    assert by_type[E.PostResolved].helped_by == (helper.id,)

    # Their public profiles count it: the author's resolved request, the helper's help.
    bio = {"bio": "Deux places à donner, souvent."}
    assert (await posts.client.patch("/me", json=bio, headers=author.auth)).status_code == 200
    profile = (await posts.client.get(f"/members/{author.id}")).json()
    assert profile["bio"] == bio["bio"] and profile["requests_resolved"] == 1
    assert set(profile) == {"id", "display_name", "member_since", "languages", "bio",
                            "requests_resolved", "offers_resolved", "helped",
                            "suspended", "organisation"}  # fmt: skip
    assert profile["suspended"] is False
    assert (await posts.client.get(f"/members/{helper.id}")).json()["helped"] == 1
    missing = await posts.client.get("/members/nobody")
    assert missing.status_code == 404 and missing.json()["detail"]["field"] == "member_id"
    too_long = await posts.client.patch("/me", json={"bio": "x" * 501}, headers=author.auth)
    assert too_long.status_code == 422
    assert by_type[E.PostWithdrawn].post_id == second["id"]
    assert by_type[E.PostCreated].post.author_name  # named, for live views


async def test_refusals_carry_codes_the_client_translates(posts):
    member = await posts.member()
    again = await posts.client.post(
        "/auth/register", json={"email": member.email, "password": PASSWORD, "display_name": "x"}
    )
    assert again.status_code == 409 and again.json()["detail"]["code"] == "email_taken"
    offer = post_body(kind="offer", urgency="urgent")
    urgent = await posts.client.post("/posts", json=offer, headers=member.auth)
    assert urgent.status_code == 422
    assert urgent.json()["detail"]["code"] == "urgent_request_only"
    assert urgent.json()["detail"]["field"] == "urgency"


async def test_names_are_one_spelling_with_nothing_hidden_and_passwords_not_guessable(posts):
    def account(**fields) -> dict:
        return {"email": f"{fields.pop('local', 'x')}@example.org",
                "password": "correct horse battery", "display_name": "Léa", **fields}  # fmt: skip

    for name in ("Lé\u200ba", "abc\u202egnp.exe", "\ufeffAmine", "   "):
        refused = await posts.client.post("/auth/register", json=account(display_name=name))
        assert refused.status_code == 422, name
        assert refused.json()["detail"][0]["loc"][-1] == "display_name", name
    decomposed = "Le\u0301a"  # "Léa" with a combining accent: stored as one spelling
    made = await posts.client.post(
        "/auth/register", json=account(local="lea", display_name=f" {decomposed} ")
    )
    assert made.status_code == 201, made.text
    assert made.json()["display_name"] == "L\u00e9a"
    for password in ("password123", "motdepasse2024", "azertyuiop"):
        weak = await posts.client.post("/auth/register",
                                       json=account(local="sam", password=password))  # fmt: skip
        assert weak.status_code == 422, password
        assert weak.json()["detail"]["code"] == "weak_password", password
