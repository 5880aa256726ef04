"""Events reach exactly the sockets subscribed to them, live."""

from shared.contract import events as m
from shared.contract.values import ReplyIntent
from tests.factories import NOW, public_post
from tests.integration.posts.conftest import post_body


async def test_a_post_made_over_http_reaches_matching_feeds_only(make_posts, gateways):
    posts = await make_posts()
    gateway = await gateways.start()
    everything = await gateways.socket(gateway)
    tickets = await gateways.socket(gateway)
    jobs_only = await gateways.socket(gateway)
    far_away = await gateways.socket(gateway)
    await everything.subscribe("feed")
    await tickets.subscribe(
        "feed", filters={"categories": ["tickets_events"], "kinds": ["request"]}
    )
    await jobs_only.subscribe("feed", filters={"categories": ["jobs"]})
    # The post is in Paris (post_body); this area is Lyon.
    await far_away.subscribe(
        "feed", filters={"area": {"lat": 45.76, "lon": 4.84, "radius_m": 20000}}
    )

    author = await posts.member()
    created = await posts.client.post("/posts", json=post_body(), headers=author.auth)
    assert created.status_code == 201, created.text
    post_id = created.json()["id"]

    await everything.wait_for(lambda s: len(s.events("feed")) >= 1)
    await tickets.wait_for(lambda s: len(s.events("feed")) >= 1)
    (frame,) = tickets.events("feed")
    assert frame["event"]["type"] == "org.entraide.post.created.v1"
    data = frame["event"]["data"]
    assert data["post_id"] == post_id
    assert data["post"]["location"]["precision_m"] == 1000  # the public projection
    assert "point" not in str(frame)
    assert frame["cursor"]
    # One gateway queues an event to all its sockets at once: the others had theirs.
    assert jobs_only.events() == [] and far_away.events() == []
    for socket in (everything, tickets, jobs_only, far_away):
        await socket.close()


async def test_a_reply_reaches_the_threads_subscribers(gateways):
    gateway = await gateways.start()
    post = public_post("p-thread")
    follower, other = await gateways.socket(gateway), await gateways.socket(gateway)
    await follower.subscribe(f"post:{post.post_id}")
    await other.subscribe("post:p-elsewhere")
    await gateways.put(
        m.ReplyCreated(
            reply_id="r1", post_id=post.post_id, post_author_id="u-amine", author_id="u-lea",
            intent=ReplyIntent.CAN_HELP, body="On my way", created_at=NOW,
        )
    )  # fmt: skip
    await gateways.put(m.PostResolved(post_id=post.post_id, outcome="helped", resolved_at=NOW))
    await follower.wait_for(lambda s: len(s.events()) >= 2)
    types = [f["event"]["type"] for f in follower.events()]
    assert types == ["org.entraide.reply.created.v1", "org.entraide.post.resolved.v1"]
    assert other.events() == []


def notification(member: str, n: int = 0, post_id: str = "p1") -> m.NotificationCreated:
    return m.NotificationCreated(
        notification_id=f"n{n}-{member}", member_id=member, reason="reply", post_id=post_id,
        cause_event_id="01JAAAAAAAAAAAAAAAAAAAAAAA", title="New reply to your post",
        created_at=NOW,
    )  # fmt: skip


async def test_a_notification_reaches_its_member_only_once(gateways):
    gateway = await gateways.start()
    lea = await gateways.socket(gateway, gateways.token("u-lea"))
    lea_phone = await gateways.socket(gateway, gateways.token("u-lea"))
    sam = await gateways.socket(gateway, gateways.token("u-sam"))
    anonymous = await gateways.socket(gateway)
    for socket in (lea, lea_phone, sam):
        await socket.subscribe("notifications")
    await anonymous.subscribe("notifications")
    assert anonymous.of_type("error")[0]["code"] == "login_required"

    event_id = await gateways.put(notification("u-lea"))
    await gateways.put(notification("u-lea"), event_id=event_id)  # re-published: same id
    await gateways.put(notification("u-lea", 1))
    await lea.wait_for(lambda s: len(s.events()) >= 2)
    await lea_phone.wait_for(lambda s: len(s.events()) >= 2)
    ids = [f["event"]["id"] for f in lea.events()]
    assert len(ids) == len(set(ids)) == 2
    assert sam.events() == []
