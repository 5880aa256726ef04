"""Replies, matches and removals reach the right inboxes, once; preferences hold back."""

from shared.contract import events as m
from shared.contract.values import MatchReason, ReplyIntent
from tests.factories import NOW, public_post
from tests.integration.kafka_tools import eventually, wait_until
from tests.integration.notifications.conftest import member_id


def reply(post_id: str, author: str, replier: str, reply_id: str = "r1") -> m.ReplyCreated:
    return m.ReplyCreated(
        reply_id=reply_id, post_id=post_id, post_author_id=author, author_id=replier,
        intent=ReplyIntent.CAN_HELP, body="I'm at the stage, I'll look.", created_at=NOW,
    )  # fmt: skip


async def created(harness, post) -> None:
    """Publish PostCreated and wait until the service has it: posts and replies travel
    on different topics, so a reply sent right after could be handled first."""
    await harness.put(m.PostCreated(post_id=post.post_id, post=post))

    async def known() -> bool:
        return await harness.wiring.events.inbox.post(post.post_id) is not None

    await eventually(known, 10, "the post to be known")


async def inbox(harness, member: str, **params) -> dict:
    response = await harness.client.get("/v1/inbox", params=params, headers=harness.auth(member))
    assert response.status_code == 200, response.text
    return response.json()


async def wait_until_stored(harness, member: str, count: int) -> None:
    async def stored() -> bool:
        return len((await inbox(harness, member))["items"]) >= count

    await eventually(stored, 10, f"{count} notifications stored")


async def test_a_reply_notifies_the_author_once_even_when_delivered_twice(notifications):
    amine, lea = member_id("amine"), member_id("lea")
    post = public_post(member_id("p"), author_id=amine)
    await created(notifications, post)
    cause = await notifications.put(reply(post.post_id, amine, lea))
    await notifications.put(reply(post.post_id, amine, lea), event_id=cause)  # re-delivered

    pushed = await notifications.notifications(
        until=lambda got: sum(n.member_id == amine for n in got) >= 2, timeout_s=10
    )
    for_amine = [d for d in pushed if d.event.member_id == amine]
    # Published again on the re-delivery, with the same id: the gateway drops it.
    assert len({d.envelope.id for d in for_amine}) == 1
    assert for_amine[0].event.cause_event_id == cause
    assert for_amine[0].event.title == f"Someone can help: {post.title}"
    await wait_until_stored(notifications, amine, 1)  # stored after the push (ADR 0007)
    page = await inbox(notifications, amine)
    assert [item["reason"] for item in page["items"]] == ["reply"]
    assert page["unread"] == 1
    assert (await inbox(notifications, lea))["items"] == []


async def test_followers_of_a_thread_hear_of_new_replies(notifications):
    amine, lea, sam = member_id("amine"), member_id("lea"), member_id("sam")
    post = public_post(member_id("p"), author_id=amine)
    await created(notifications, post)
    await notifications.put(reply(post.post_id, amine, lea, "r1"))
    await notifications.put(reply(post.post_id, amine, sam, "r2"))
    await notifications.notifications(
        until=lambda got: any(n.member_id == lea for n in got), timeout_s=10
    )
    await wait_until_stored(notifications, lea, 1)  # stored after the push (ADR 0007)
    await wait_until_stored(notifications, amine, 2)
    (item,) = (await inbox(notifications, lea))["items"]
    assert item["title"].startswith("New reply in a thread you follow")
    assert len((await inbox(notifications, amine))["items"]) == 2
    assert (await inbox(notifications, sam))["items"] == []


async def test_a_match_reaches_both_sides_and_a_removal_its_author(notifications):
    amine, lea = member_id("amine"), member_id("lea")
    request = public_post(member_id("req"), author_id=amine)
    offer = public_post(member_id("off"), author_id=lea, kind="offer", title="I can help look")
    for post in (request, offer):
        await created(notifications, post)
    words = MatchReason(factor="words", weight=0.2, detail="words in common: concert",
                        words=("concert",))  # fmt: skip
    await notifications.put(
        m.MatchFound(
            match_id=member_id("m"), request_id=request.post_id, offer_id=offer.post_id,
            request_author_id=amine, offer_author_id=lea, score=0.9, reasons=(words,),
            found_at=NOW,
        )
    )  # fmt: skip
    await wait_until_stored(notifications, amine, 1)  # stored after the push (ADR 0007)
    [told] = (await inbox(notifications, amine))["items"]
    # The notice opens the other side's post, and says its title as a code to translate.
    assert (told["reason"], told["post_id"]) == ("match", offer.post_id)
    assert (told["title_code"], told["title_params"]) == ("match_offer", {"title": offer.title})

    # The request's matches, with their reasons, to its author only.
    path = f"/v1/posts/{request.post_id}/matches"
    mine = await notifications.client.get(path, headers=notifications.auth(amine))
    [match] = mine.json()
    assert match["other_post_id"] == offer.post_id and match["other"]["title"] == offer.title
    assert match["reasons"][0]["words"] == ["concert"] and match["score"] == 0.9
    theirs = f"/v1/posts/{offer.post_id}/matches"
    assert (await notifications.client.get(theirs, headers=notifications.auth(lea))).json()[0][
        "other_post_id"
    ] == request.post_id
    for stranger_view in (
        await notifications.client.get(path, headers=notifications.auth(lea)),
        await notifications.client.get(path, headers=notifications.auth(member_id("sam"))),
    ):
        assert stranger_view.status_code == 200 and stranger_view.json() == []
    assert (await notifications.client.get(path)).status_code == 401

    # The offer is removed after reports: its author is told, and the pair is listed no more.
    await notifications.put(m.PostRemoved(post_id=offer.post_id, reason="reports", removed_at=NOW))
    await wait_until_stored(notifications, lea, 2)
    reasons = [i["reason"] for i in (await inbox(notifications, lea))["items"]]
    assert reasons == ["report_outcome", "match"]  # newest first
    assert (await notifications.client.get(path, headers=notifications.auth(amine))).json() == []


async def test_inbox_pages_and_marks_read(notifications):
    amine = member_id("amine")
    post = public_post(member_id("p"), author_id=amine)
    await created(notifications, post)
    for n in range(5):
        await notifications.put(reply(post.post_id, amine, member_id("helper"), f"r{n}"))
    await notifications.notifications(
        until=lambda got: sum(n.member_id == amine for n in got) >= 5, timeout_s=10
    )
    await wait_until_stored(notifications, amine, 5)  # stored after the push (ADR 0007)
    first = await inbox(notifications, amine, limit=3)
    second = await inbox(notifications, amine, limit=3, before=first["next_cursor"])
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 5 and ids == sorted(ids, reverse=True)
    assert second["next_cursor"] is None

    marked = await notifications.client.post(
        "/v1/inbox/read", json={"ids": ids[:2]}, headers=notifications.auth(amine)
    )
    assert marked.json() == {"marked": 2}
    assert (await inbox(notifications, amine))["unread"] == 3
    assert len((await inbox(notifications, amine, unread_only=True))["items"]) == 3
    everything = await notifications.client.post(
        "/v1/inbox/read", json={}, headers=notifications.auth(amine)
    )
    assert everything.json() == {"marked": 3}


async def test_quiet_hours_hold_ordinary_notifications_for_a_digest(notifications):
    amine = member_id("amine")
    quiet_all_day = {"quiet_start": "00:00", "quiet_end": "23:59:59", "timezone": "UTC"}
    saved = await notifications.client.put(
        "/v1/preferences", json=quiet_all_day, headers=notifications.auth(amine)
    )
    assert saved.status_code == 200, saved.text
    post = public_post(member_id("p"), author_id=amine)
    await created(notifications, post)
    await notifications.put(reply(post.post_id, amine, member_id("lea")))
    await wait_until_stored(notifications, amine, 1)
    assert (await inbox(notifications, amine))["items"][0]["reason"] == "reply"

    await notifications.client.put("/v1/preferences", json={}, headers=notifications.auth(amine))
    assert await notifications.wiring.events.send_digests() == 1
    pushed = await notifications.notifications(
        until=lambda got: any(n.member_id == amine for n in got), timeout_s=10
    )
    # The held reply was never pushed on its own; the digest was.
    assert [(d.event.reason, d.event.title) for d in pushed if d.event.member_id == amine] == [
        ("digest", "1 notification while you were away")
    ]
    assert await notifications.wiring.events.send_digests() == 0


async def test_preferences_are_validated_field_by_field(notifications):
    auth = notifications.auth(member_id("amine"))
    for body, field in [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"quiet_start": "22:00"}, None),
        ({"daily_cap": 0}, "daily_cap"),
        ({"categories": ["spaceships"]}, "categories"),
        ({"surprise": 1}, "surprise"),
    ]:
        response = await notifications.client.put("/v1/preferences", json=body, headers=auth)
        assert response.status_code == 422, body
        if field:
            assert field in response.json()["detail"][0]["loc"], response.text
    assert (await notifications.client.get("/v1/inbox")).status_code == 401
    bad = await notifications.client.get("/v1/inbox", headers={"Authorization": "Bearer x.y.z"})
    assert bad.status_code == 401


async def test_an_undecodable_event_is_dead_lettered_and_the_rest_goes_on(notifications):
    amine = member_id("amine")
    await notifications.put_raw("replies.v1", b"{not json")
    post = public_post(member_id("p"), author_id=amine)
    await created(notifications, post)
    await notifications.put(reply(post.post_id, amine, member_id("lea")))
    (dead,) = await notifications.dead_letters(1)
    assert dead.value == b"{not json"
    await wait_until(lambda: notifications.background.loop.handled >= 2, what="handled")
    await wait_until_stored(notifications, amine, 1)
