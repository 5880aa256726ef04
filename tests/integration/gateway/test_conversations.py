"""A private conversation across the real servers: written over HTTP to the posts
service, live on the other member's socket, in their inbox when they are away, resumed
after a reconnect with nothing missing and nothing twice, and never on a third
member's socket."""

from __future__ import annotations

from tests.integration.kafka_tools import eventually
from tests.integration.posts.conftest import post_body

MESSAGE_SENT = "org.entraide.conversation.message-sent.v1"
READ = "org.entraide.conversation.read.v1"


def messages(socket) -> list[dict]:
    frames = socket.events("conversations")
    return [f["event"]["data"] for f in frames if f["event"]["type"] == MESSAGE_SENT]


async def test_a_message_reaches_the_other_live_or_in_the_inbox_and_resumes(
    notifications_schema, make_posts, gateways, make_notifications
):
    posts = await make_posts()
    inbox = await make_notifications(postgres_schema=notifications_schema)
    gateway = await gateways.start()
    tom, lea, eve = await posts.member("tom"), await posts.member("lea"), await posts.member("eve")
    c = posts.client
    offer = post_body(kind="offer", category="goods", title="A sofa to give away")
    offer_id = (await c.post("/posts", json=offer, headers=tom.auth)).json()["id"]
    cid = (await c.post(f"/posts/{offer_id}/conversations", headers=lea.auth)).json()["id"]

    sockets = {}
    for member in (tom, lea, eve):
        sockets[member.id] = await gateways.socket(gateway, member.token)
        await sockets[member.id].subscribe("conversations")
    toms, leas, eves = (sockets[m.id] for m in (tom, lea, eve))

    # Live, both ways: the message is on Tom's socket (and on Lea's own, for her other
    # devices).
    hello = await c.post(f"/conversations/{cid}/messages", json={"body": "Still free?"},
                         headers=lea.auth)  # fmt: skip
    assert hello.status_code == 201, hello.text
    await toms.wait_for(lambda s: len(messages(s)) >= 1, what="Lea's message")
    await leas.wait_for(lambda s: len(messages(s)) >= 1, what="her own message")
    (data,) = messages(toms)
    assert data["message_id"] == hello.json()["id"] and data["body"] == "Still free?"
    assert data["sender_name"] == "lea" and "email" not in str(data)

    # Lea goes away; Tom answers twice.
    cursor = leas.last_cursor()
    await leas.close()
    answers = []
    for text in ("Yes!", "Come by rue Oberkampf at 18h"):
        sent = await c.post(f"/conversations/{cid}/messages", json={"body": text},
                            headers=tom.auth)  # fmt: skip
        answers.append(sent.json()["id"])

    # Her inbox has one notification for the conversation (not one per message).
    async def unread() -> list[dict]:
        page = await inbox.client.get("/v1/inbox?unread_only=true", headers=inbox.auth(lea.id))
        return [n for n in page.json()["items"] if n["reason"] == "message"]

    found: list[dict] = []

    async def arrived() -> bool:
        found[:] = await unread()
        return bool(found)

    await eventually(arrived, 20, "her message notification")
    (notice,) = found
    assert notice["title_code"] == "message" and notice["post_id"] == offer_id
    assert notice["title_params"] == {"name": "tom", "conversation": cid,
                                      "title": "A sofa to give away"}  # fmt: skip
    assert "Oberkampf" not in str(notice)  # never the text itself

    # She comes back with her cursor: exactly the two she missed, then live again.
    back = await gateways.socket(gateway, lea.token)
    await back.subscribe("conversations", cursor=cursor)
    await back.wait_for(lambda s: len(messages(s)) >= 2, what="the missed messages")
    assert [m["message_id"] for m in messages(back)] == answers
    assert back.of_type("resumed")[0]["replayed"] == 2
    meeting = [m["meeting"] for m in messages(back)]
    assert meeting == [False, True]  # the safety note comes with the meeting's message

    # She reads: Tom sees the receipt, and her notification is read too.
    assert (await c.post(f"/conversations/{cid}/read", json={},
                         headers=lea.auth)).status_code == 204  # fmt: skip
    receipts = lambda s: [f for f in s.events("conversations") if f["event"]["type"] == READ]  # noqa: E731
    await toms.wait_for(lambda s: receipts(s), what="the read receipt")
    assert receipts(toms)[0]["event"]["data"]["up_to_message_id"] == answers[-1]

    async def notice_read() -> bool:
        return not await unread()

    await eventually(notice_read, 20, "her notification read")
    # Eve saw nothing of any of it.
    assert eves.events("conversations") == []
    assert len(messages(back)) == 2  # and nothing twice
