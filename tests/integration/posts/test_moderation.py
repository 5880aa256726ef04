"""The moderation queue on the real servers: reports weigh by their reporter's standing
and one address counts once; a hidden post waits in the queue; its author appeals once;
another moderator than the one who decided restores it, and it is back in the feed."""

from __future__ import annotations

from datetime import timedelta

from shared.contract import events as E
from shared.contract.catalogue import POSTS, REPLIES
from shared.contract.events import ReplyAnswered
from tests.integration.posts.conftest import PASSWORD, post_body


async def settle(posts, *members) -> None:
    """Members of a month whose address is confirmed: each report weighs 0.75."""
    async with posts.wiring.pool.acquire() as conn:
        await conn.execute(
            "UPDATE accounts SET created_at = created_at - $2::interval,"
            " email_verified_at = now() WHERE id = ANY($1::text[])",
            [m.id for m in members], timedelta(days=30),
        )  # fmt: skip


async def test_a_hidden_post_is_appealed_and_restored_by_another_moderator(make_posts):
    posts = await make_posts(report_hide_threshold=2, trusted_proxies=("127.0.0.1",))
    c = posts.client
    lea = await posts.member("lea")
    reporters = [await posts.member(f"r{n}") for n in range(3)]
    await settle(posts, *reporters)
    first, second = await posts.moderator(), await posts.moderator()
    post_id = (await c.post("/posts", json=post_body(), headers=lea.auth)).json()["id"]

    # A fresh account from an address already counted adds nothing.
    fresh = await posts.member("fresh")
    r0, r1, r2 = reporters
    for n, (reporter, address) in enumerate(
        [(r0, "203.0.113.0"), (fresh, "203.0.113.0"), (r1, "203.0.113.1"), (r2, "203.0.113.2")]
    ):
        reported = await c.post(f"/posts/{post_id}/reports", json={"reason": f"spam {n}"},
                                headers={**reporter.auth, "X-Forwarded-For": address})  # fmt: skip
        assert reported.status_code == 204, reported.text
    assert (await c.get(f"/posts/{post_id}")).status_code == 404  # hidden at 2.25 of 2

    queue = (await c.get("/moderation/queue", headers=first.auth)).json()
    (item,) = queue["posts"]
    assert (item["id"], item["status"], item["reports"]) == (post_id, "removed", 4)
    assert item["weight"] == 2.25 and item["reasons"][0] == "spam 3"
    assert (await c.get("/moderation/queue", headers=lea.auth)).status_code == 403

    kept = await c.post(f"/moderation/posts/{post_id}/decision",
                        json={"action": "dismiss", "reason": "looks like a scam"},
                        headers=first.auth)  # fmt: skip
    assert kept.status_code == 204
    assert (await c.get("/moderation/queue", headers=first.auth)).json()["posts"] == []

    # Lea appeals, once.
    appealed = await c.post(f"/posts/{post_id}/appeal",
                            json={"text": "It is a real offer: my neighbour's car"},
                            headers=lea.auth)  # fmt: skip
    assert appealed.status_code == 204
    again = await c.post(f"/posts/{post_id}/appeal", json={"text": "please"}, headers=lea.auth)
    assert again.status_code == 409 and again.json()["detail"]["code"] == "already_appealed"
    (appeal,) = (await c.get("/moderation/queue", headers=second.auth)).json()["appeals"]
    assert appeal["decided_by"] == first.id and appeal["text"].startswith("It is a real offer")

    # The moderator who decided does not decide the appeal; another one does.
    decision = f"/moderation/posts/{post_id}/decision"
    own = await c.post(decision, json={"action": "restore", "reason": "fair"}, headers=first.auth)
    assert own.status_code == 403 and own.json()["detail"]["code"] == "appeal_other_moderator"
    restored = await c.post(f"/moderation/posts/{post_id}/decision",
                            json={"action": "restore", "reason": "a real offer, checked"},
                            headers=second.auth)  # fmt: skip
    assert restored.status_code == 204, restored.text
    assert (await c.get(f"/posts/{post_id}")).json()["status"] == "open"
    queue = (await c.get("/moderation/queue", headers=second.auth)).json()
    assert queue == {
        "organisations": [],
        "appeals": [],
        "posts": [],
        "conversations": [],
        "members": [],
    }
    log = (await c.get(f"/moderation/log?subject_id={post_id}", headers=second.auth)).json()
    assert [(d["action"], d["moderator_id"]) for d in log] == [
        ("restore", second.id),
        ("dismiss", first.id),
    ]
    events = await posts.events(POSTS.name, 3)
    assert [type(d.event) for d in events] == [E.PostCreated, E.PostRemoved, E.PostRestored]


async def test_a_reported_conversation_waits_until_a_moderator_looked_at_it(posts):
    c = posts.client
    tom, lea, moderator = (
        await posts.member("tom"),
        await posts.member("lea"),
        await posts.moderator(),
    )
    offer = (await c.post("/posts", json=post_body(kind="offer"), headers=tom.auth)).json()["id"]
    cid = (await c.post(f"/posts/{offer}/conversations", headers=lea.auth)).json()["id"]
    sent = await c.post(f"/conversations/{cid}/messages", json={"body": "Pay me first"},
                        headers=tom.auth)  # fmt: skip
    await c.post(f"/conversations/{cid}/reports",
                 json={"reason": "asks for money", "message_id": sent.json()["id"]},
                 headers=lea.auth)  # fmt: skip
    (item,) = (await c.get("/moderation/queue", headers=moderator.auth)).json()["conversations"]
    assert (item["reported_id"], item["message"]) == (tom.id, "Pay me first")
    looked = await c.post(f"/moderation/conversations/{cid}/decision",
                          json={"reason": "warned him"}, headers=moderator.auth)  # fmt: skip
    assert looked.status_code == 204
    assert (await c.get("/moderation/queue", headers=moderator.auth)).json()["conversations"] == []


async def test_an_organisation_applies_is_verified_and_its_badge_shows(posts):
    c = posts.client
    bank, moderator = await posts.member("bank"), await posts.moderator()
    application = {"name": "Banque alimentaire de Paris", "kind": "association",
                   "registration_number": "W751234567", "website": "https://banque.example",
                   "contact": "accueil@banque.example"}  # fmt: skip
    bad = await c.post("/me/organisation", json={**application, "kind": "shop"}, headers=bank.auth)
    assert bad.status_code == 422
    applied = await c.post("/me/organisation", json=application, headers=bank.auth)
    assert applied.status_code == 201 and applied.json()["status"] == "pending"
    assert (
        await c.post("/me/organisation", json=application, headers=bank.auth)
    ).status_code == 409
    (waiting,) = (await c.get("/moderation/queue", headers=moderator.auth)).json()["organisations"]
    assert waiting["registration_number"] == "W751234567"
    verify = {"action": "verify", "reason": "RNA checked on the register"}
    decided = await c.post(f"/moderation/organisations/{bank.id}/decision", json=verify,
                           headers=moderator.auth)  # fmt: skip
    assert decided.status_code == 204
    profile = (await c.get(f"/members/{bank.id}")).json()
    assert profile["organisation"] == {"name": "Banque alimentaire de Paris", "kind": "association"}
    # The role shows at the next log-in; so does the badge on its posts.
    login = await c.post("/auth/login", json={"email": bank.email, "password": PASSWORD})
    assert login.json()["account"]["role"] == "partner"
    partner = {"Authorization": f"Bearer {login.json()['access_token']}"}
    created = await c.post("/posts", json=post_body(kind="offer"), headers=partner)
    assert created.json()["author"]["verified"] is True
    shown = (await c.get(f"/posts/{created.json()['id']}")).json()
    assert shown["author"]["verified"] is True


async def test_a_verified_organisation_posts_for_a_person_without_an_account(posts):
    c = posts.client
    bank, lea, moderator = (
        await posts.member("bank"),
        await posts.member("lea"),
        await posts.moderator(),
    )
    behalf = post_body(title="Un lit pour cette nuit",
                       on_behalf_of={"alias": "Karim", "consent": True})  # fmt: skip
    refused = await c.post("/posts", json=behalf, headers=lea.auth)
    assert refused.status_code == 403 and refused.json()["detail"]["code"] == "organisations_only"
    application = {"name": "Samu social", "kind": "public_service",
                   "registration_number": "13000123400012", "website": "https://samu.example",
                   "contact": "maraude@samu.example"}  # fmt: skip
    assert (
        await c.post("/me/organisation", json=application, headers=bank.auth)
    ).status_code == 201
    verify = {"action": "verify", "reason": "SIRET checked"}
    assert (await c.post(f"/moderation/organisations/{bank.id}/decision", json=verify,
                         headers=moderator.auth)).status_code == 204  # fmt: skip
    no_consent = post_body(on_behalf_of={"alias": "Karim", "consent": False})
    assert (await c.post("/posts", json=no_consent, headers=bank.auth)).status_code == 422
    created = await c.post("/posts", json=behalf, headers=bank.auth)
    assert created.status_code == 201, created.text
    assert created.json()["on_behalf_of"] == "Karim" and created.json()["author"]["verified"]
    post_id = created.json()["id"]
    shown = (await c.get(f"/posts/{post_id}")).json()
    assert shown["on_behalf_of"] == "Karim"

    # Offers to Karim's request are accepted or declined on his word, by the organisation.
    offer = await c.post(f"/posts/{post_id}/replies", headers=lea.auth,
                         json={"intent": "can_help", "body": "A spare room tonight"})  # fmt: skip
    comment = await c.post(f"/posts/{post_id}/replies", headers=lea.auth,
                           json={"intent": "comment", "body": "Try the shelter too"})  # fmt: skip
    answer_url = f"/posts/{post_id}/replies/{offer.json()['id']}/answer"
    accepted = await c.put(answer_url, json={"answer": "accepted"}, headers=bank.auth)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["answer"] == "accepted"
    thread = (await c.get(f"/posts/{post_id}/replies")).json()["items"]
    assert [r["answer"] for r in thread] == ["accepted", None]
    # Only the organisation answers, only for an offer, only on a post made for a person.
    by_lea = await c.put(answer_url, json={"answer": "declined"}, headers=lea.auth)
    assert by_lea.status_code == 403
    on_comment = await c.put(f"/posts/{post_id}/replies/{comment.json()['id']}/answer",
                             json={"answer": "accepted"}, headers=bank.auth)  # fmt: skip
    assert on_comment.status_code == 422
    assert on_comment.json()["detail"]["code"] == "not_an_offer"
    bad = await c.put(answer_url, json={"answer": "maybe"}, headers=bank.auth)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "answer"
    ordinary = (await c.post("/posts", json=post_body(), headers=bank.auth)).json()["id"]
    lea_offer = await c.post(f"/posts/{ordinary}/replies", headers=lea.auth,
                             json={"intent": "can_help", "body": "I have two"})  # fmt: skip
    not_behalf = await c.put(f"/posts/{ordinary}/replies/{lea_offer.json()['id']}/answer",
                             json={"answer": "accepted"}, headers=bank.auth)  # fmt: skip
    assert not_behalf.status_code == 409
    assert not_behalf.json()["detail"]["code"] == "not_on_behalf"
    elsewhere = await c.put(f"/posts/{ordinary}/replies/{offer.json()['id']}/answer",
                            json={"answer": "accepted"}, headers=bank.auth)  # fmt: skip
    assert elsewhere.status_code == 404
    # He changed his mind: the new answer replaces the last, and each is an event.
    declined = await c.put(answer_url, json={"answer": "declined"}, headers=bank.auth)
    assert declined.json()["answer"] == "declined"
    again = await c.put(answer_url, json={"answer": "declined"}, headers=bank.auth)
    assert again.status_code == 200
    events = await posts.events(REPLIES.name, expected=5)
    answers = [d.event for d in events if isinstance(d.event, ReplyAnswered)]
    assert [(a.reply_id, a.answer.value) for a in answers] == [
        (offer.json()["id"], "accepted"), (offer.json()["id"], "declined"),
    ]  # fmt: skip


async def test_a_reported_member_waits_in_the_queue_until_a_moderator_decides(posts):
    c = posts.client
    lea, sam, tom, moderator = (
        await posts.member("lea"), await posts.member("sam"), await posts.member("tom"),
        await posts.moderator(),
    )  # fmt: skip
    url = f"/members/{tom.id}/reports"
    for reporter, reason in ((lea, "Asks for money in every reply"), (sam, "Rude")):
        sent = await c.post(url, json={"reason": reason}, headers=reporter.auth)
        assert sent.status_code == 204, sent.text
    again = await c.post(url, json={"reason": "again"}, headers=lea.auth)
    assert again.status_code == 409 and again.json()["detail"]["code"] == "already_reported"
    myself = await c.post(f"/members/{lea.id}/reports", json={"reason": "x"}, headers=lea.auth)
    assert myself.status_code == 422 and myself.json()["detail"]["field"] == "member_id"
    nobody = await c.post("/members/u-nobody/reports", json={"reason": "x"}, headers=lea.auth)
    assert nobody.status_code == 404
    assert (await c.post(url, json={"reason": "x"})).status_code == 401

    async def reported() -> list[dict]:
        queue = await c.get("/moderation/queue", headers=moderator.auth)
        return queue.json()["members"]

    [item] = await reported()
    assert (item["member_id"], item["reports"]) == (tom.id, 2)
    assert set(item["reasons"]) == {"Asks for money in every reply", "Rude"}
    nothing = {"reason": "Nothing against the rules"}
    looked = await c.post(
        f"/moderation/members/{tom.id}/decision", json=nothing, headers=moderator.auth
    )
    assert looked.status_code == 204
    assert await reported() == []
    # After a decision, a new report counts again; a suspension takes it off the queue.
    assert (await c.post(url, json={"reason": "Now threats"}, headers=lea.auth)).status_code == 204
    assert [m["reports"] for m in await reported()] == [1]
    suspended = await c.post(f"/members/{tom.id}/suspension", json={"reason": "Threats"},
                             headers=moderator.auth)  # fmt: skip
    assert suspended.status_code == 204
    assert await reported() == []
    mine = {"reason": "Not my business"}
    not_a_moderator = await c.post(
        f"/moderation/members/{tom.id}/decision", json=mine, headers=lea.auth
    )
    assert not_a_moderator.status_code == 403
