"""Private conversations over HTTP on the real servers: contact, write, read, page,
block, report; a third member learns nothing; every change is its event on
conversations.v1, keyed by the conversation."""

from __future__ import annotations

from shared.contract import events as E
from shared.contract.catalogue import CONVERSATIONS
from tests.integration.posts.conftest import post_body


async def offer_of(posts, member) -> str:
    body = post_body(kind="offer", category="goods", title="A sofa to give away")
    created = await posts.client.post("/posts", json=body, headers=member.auth)
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def test_two_members_talk_privately_and_a_third_learns_nothing(posts):
    c = posts.client
    tom, lea, eve = await posts.member("tom"), await posts.member("lea"), await posts.member("eve")
    offer = await offer_of(posts, tom)

    started = await c.post(f"/posts/{offer}/conversations", headers=lea.auth)
    assert started.status_code == 201, started.text
    conversation = started.json()
    assert conversation["other"] == {"id": tom.id, "display_name": "tom", "verified": False}
    assert conversation["post"] == {"id": offer, "title": "A sofa to give away"}
    assert "email" not in started.text
    # Contacting again opens the same conversation.
    again = await c.post(f"/posts/{offer}/conversations", headers=lea.auth)
    assert again.status_code == 200 and again.json()["id"] == conversation["id"]
    # Not one's own post.
    own = await c.post(f"/posts/{offer}/conversations", headers=tom.auth)
    assert own.status_code == 422 and own.json()["detail"]["code"] == "own_post"

    cid = conversation["id"]
    first = await c.post(f"/conversations/{cid}/messages", json={"body": "  Is it still free?  "},
                         headers=lea.auth)  # fmt: skip
    assert first.status_code == 201, first.text
    assert first.json()["body"] == "Is it still free?"
    meet = {"body": "Yes! Come by rue Oberkampf at 18h"}
    answer = await c.post(f"/conversations/{cid}/messages", json=meet, headers=tom.auth)
    assert answer.status_code == 201

    toms = (await c.get("/me/conversations", headers=tom.auth)).json()
    assert [item["id"] for item in toms["items"]] == [cid]
    assert toms["items"][0]["unread"] == 0  # he wrote after reading hers
    leas = (await c.get("/me/conversations", headers=lea.auth)).json()
    assert leas["unread"] == 1 and leas["items"][0]["last_message"]["sender_id"] == tom.id
    assert leas["items"][0]["meeting_noted"] is True

    read = await c.post(f"/conversations/{cid}/read", json={}, headers=lea.auth)
    assert read.status_code == 204
    assert (await c.get("/me/conversations", headers=lea.auth)).json()["unread"] == 0
    seen = (await c.get(f"/conversations/{cid}", headers=tom.auth)).json()
    assert seen["seen_up_to"] == answer.json()["id"]

    history = (await c.get(f"/conversations/{cid}/messages?limit=1", headers=lea.auth)).json()
    assert [m["id"] for m in history["items"]] == [answer.json()["id"]]
    older = await c.get(
        f"/conversations/{cid}/messages?limit=1&cursor={history['next_cursor']}", headers=lea.auth
    )
    assert [m["body"] for m in older.json()["items"]] == ["Is it still free?"]
    assert older.json()["next_cursor"] is None

    # Eve is in none of it: the same answer as for a conversation that does not exist.
    for response in (
        await c.get(f"/conversations/{cid}", headers=eve.auth),
        await c.get(f"/conversations/{cid}/messages", headers=eve.auth),
        await c.post(f"/conversations/{cid}/messages", json={"body": "hi"}, headers=eve.auth),
        await c.post(f"/conversations/{cid}/read", json={}, headers=eve.auth),
        await c.get("/conversations/01JZZZZZZZZZZZZZZZZZZZZZZZ", headers=eve.auth),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["detail"]["field"] == "conversation_id"
    assert (await c.get("/me/conversations", headers=eve.auth)).json()["items"] == []

    events = await posts.events(CONVERSATIONS.name, 4)
    # One key, one partition: in the order they happened. Tom's message was read by him
    # as he wrote it (no event); Lea's read is the one receipt.
    assert [type(d.event) for d in events] == [
        E.ConversationStarted, E.MessageSent, E.MessageSent, E.ConversationRead,
    ]  # fmt: skip
    assert {d.event.conversation_id for d in events} == {cid}
    assert all(d.event.members == (tom.id, lea.id) for d in events)
    sent = [d.event for d in events if isinstance(d.event, E.MessageSent)]
    assert [(m.sender_id, m.meeting) for m in sent] == [(lea.id, False), (tom.id, True)]


async def test_bad_messages_get_a_clear_4xx(posts):
    c = posts.client
    tom, lea = await posts.member("tom"), await posts.member("lea")
    cid = (await c.post(f"/posts/{await offer_of(posts, tom)}/conversations",
                        headers=lea.auth)).json()["id"]  # fmt: skip
    too_long = await c.post(f"/conversations/{cid}/messages", json={"body": "x" * 2001},
                            headers=lea.auth)  # fmt: skip
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["loc"] == ["body", "body"]
    blank = await c.post(f"/conversations/{cid}/messages", json={"body": "   "}, headers=lea.auth)
    assert blank.status_code == 422 and blank.json()["detail"]["code"] == "empty_message"
    unknown = await c.post(f"/conversations/{cid}/read", json={"up_to": "0" * 26},
                           headers=lea.auth)  # fmt: skip
    assert unknown.status_code == 422 and unknown.json()["detail"]["field"] == "up_to"
    nobody = await c.post("/conversations/nope/messages", json={"body": "hi"}, headers=lea.auth)
    assert nobody.status_code == 404
    anonymous = await c.post(f"/conversations/{cid}/messages", json={"body": "hi"})
    assert anonymous.status_code == 401


async def test_a_block_stops_messages_both_ways_and_hides_posts_and_a_report_is_kept(posts):
    c = posts.client
    tom, lea = await posts.member("tom"), await posts.member("lea")
    offer = await offer_of(posts, tom)
    cid = (await c.post(f"/posts/{offer}/conversations", headers=lea.auth)).json()["id"]
    hello = await c.post(f"/conversations/{cid}/messages", json={"body": "Hi, I'd love it"},
                         headers=lea.auth)  # fmt: skip
    rude = await c.post(f"/conversations/{cid}/messages", json={"body": "Send me money first"},
                        headers=tom.auth)  # fmt: skip
    assert hello.status_code == rude.status_code == 201

    reported = await c.post(f"/conversations/{cid}/reports",
                            json={"reason": "asks for money", "message_id": rude.json()["id"]},
                            headers=lea.auth)  # fmt: skip
    assert reported.status_code == 204
    twice = await c.post(f"/conversations/{cid}/reports",
                         json={"reason": "again", "message_id": rude.json()["id"]},
                         headers=lea.auth)  # fmt: skip
    assert twice.status_code == 409
    async with posts.wiring.pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT reporter_id, reported_id, message_id FROM conversation_reports"
            " WHERE conversation_id = $1",
            cid,
        )
    assert dict(row) == {"reporter_id": lea.id, "reported_id": tom.id,
                         "message_id": rude.json()["id"]}  # fmt: skip

    assert offer in [p["id"] for p in (await c.get("/posts", headers=lea.auth)).json()["items"]]
    assert (await c.put(f"/me/blocks/{tom.id}", headers=lea.auth)).status_code == 204
    assert (await c.get("/me/blocks", headers=lea.auth)).json() == [
        {"id": tom.id, "display_name": "tom", "verified": False}
    ]
    for sender in (lea, tom):
        refused = await c.post(f"/conversations/{cid}/messages", json={"body": "still there?"},
                               headers=sender.auth)  # fmt: skip
        assert refused.status_code == 403 and refused.json()["detail"]["code"] == "blocked"
    toms_view = (await c.get(f"/conversations/{cid}", headers=tom.auth)).json()
    assert toms_view["can_write"] is False and toms_view["blocked_by_me"] is False
    # His posts leave her feed (not anyone else's).
    assert offer not in [p["id"] for p in (await c.get("/posts", headers=lea.auth)).json()["items"]]
    assert offer in [p["id"] for p in (await c.get("/posts")).json()["items"]]
    # Nor can he start a new conversation with her.
    leas_offer = await offer_of(posts, lea)
    new = await c.post(f"/posts/{leas_offer}/conversations", headers=tom.auth)
    assert new.status_code == 403 and new.json()["detail"]["code"] == "blocked"

    assert (await c.put("/me/blocks/nobody", headers=lea.auth)).status_code == 404
    assert (await c.put(f"/me/blocks/{lea.id}", headers=lea.auth)).status_code == 422
    assert (await c.delete(f"/me/blocks/{tom.id}", headers=lea.auth)).status_code == 204
    again = await c.post(f"/conversations/{cid}/messages", json={"body": "ok, sorry"},
                         headers=tom.auth)  # fmt: skip
    assert again.status_code == 201
