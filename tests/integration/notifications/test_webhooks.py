"""Partner webhooks: signed (checked with the standardwebhooks package), retried through
failures and a restart, nothing lost, duplicates only with the same webhook-id."""

import asyncio
import json
from datetime import UTC, datetime, timedelta

from standardwebhooks.webhooks import Webhook

from shared.contract import events as m
from shared.contract.partner import OUTCOMES_EVENT
from shared.contract.values import Category
from shared.runtime.auth import Role
from tests.factories import NOW, public_post
from tests.integration.kafka_tools import eventually, wait_until
from tests.integration.notifications.conftest import member_id, stop

FAST_RETRIES = {
    "webhook_retry_schedule_s": (0.2, 0.4, 0.8, 1.0, 1.0, 1.0),
    "webhook_timeout_s": 1.0,
}


async def register(harness, partner: str, url: str, **filters) -> dict:
    response = await harness.client.post(
        "/v1/webhooks",
        json={"url": url, "description": "Food bank", "filters": filters},
        headers=harness.auth(partner, Role.PARTNER),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def wait_for(condition, timeout_s: float = 20.0) -> None:
    await wait_until(condition, timeout_s, "the receiver")


def verified(receiver, secret: str) -> dict[str, dict]:
    """Every request the receiver answered 2xx, verified independently, by webhook-id."""
    checker = Webhook(secret)
    got = {}
    for headers, body, status in receiver.received:
        payload = checker.verify(body, headers)  # raises if the signature is wrong
        if 200 <= status < 300:
            got.setdefault(headers["webhook-id"], payload)
    return got


async def test_every_event_arrives_signed_through_failures_and_a_restart(
    make_notifications, receiver
):
    first = await make_notifications(**FAST_RETRIES)
    partner = member_id("partner")
    endpoint = await register(first, partner, receiver.url, categories=["housing"])
    receiver.script = ["500", "timeout", "500"]

    housing = [public_post(member_id("h"), category=Category.HOUSING) for _ in range(6)]
    jobs = public_post(member_id("j"), category=Category.JOBS)
    event_ids = []
    for post in [*housing[:3], jobs]:
        event_id = await first.put(m.PostCreated(post_id=post.post_id, post=post))
        if post is not jobs:
            event_ids.append(event_id)
    await wait_for(lambda: len(receiver.received) >= 2)
    await stop(first)  # restart in the middle: pending deliveries are in PostgreSQL

    second = await make_notifications(**FAST_RETRIES)
    for post in housing[3:]:
        event_ids.append(await second.put(m.PostCreated(post_id=post.post_id, post=post)))
    resolved = await second.put(
        m.PostResolved(post_id=housing[0].post_id, outcome="helped", resolved_at=NOW)
    )
    event_ids.append(resolved)

    await wait_for(lambda: set(verified(receiver, endpoint["secret"])) >= set(event_ids), 30)
    # The restarted service also offered the last closed days' outcomes (empty here).
    got = {k: v for k, v in verified(receiver, endpoint["secret"]).items()
           if v["type"] != OUTCOMES_EVENT}  # fmt: skip
    assert set(got) == set(event_ids)  # the jobs post was filtered out
    assert got[resolved]["type"] == "org.entraide.post.resolved.v1"
    created = got[event_ids[0]]["data"]
    assert created["post"]["location"]["precision_m"] == 1000  # the public projection
    assert "point" not in json.dumps(created)
    failures = [s for _, _, s in receiver.received if s >= 500]
    assert len(failures) >= 2

    async def statuses() -> list[str]:
        page = await second.client.get(
            f"/v1/webhooks/{endpoint['id']}/deliveries",
            headers=second.auth(partner, Role.PARTNER),
        )
        items = page.json()["items"]
        return [d["status"] for d in items if d["event_type"] != OUTCOMES_EVENT]

    async def all_delivered() -> bool:  # one may have been in flight at the restart
        return set(await statuses()) == {"delivered"}

    await eventually(all_delivered, 10, "every delivery marked delivered")
    assert await statuses() == ["delivered"] * len(event_ids)


async def test_replay_from_a_cursor_and_rotation_sign_with_both_secrets(notifications, receiver):
    partner = member_id("partner")
    auth = notifications.auth(partner, Role.PARTNER)
    endpoint = await register(notifications, partner, receiver.url)
    posts = [public_post(member_id("p")) for _ in range(3)]
    for post in posts:
        await notifications.put(m.PostCreated(post_id=post.post_id, post=post))
    await wait_for(lambda: len(receiver.received) >= 3)

    rotated = await notifications.client.post(
        f"/v1/webhooks/{endpoint['id']}/rotate-secret", headers=auth
    )
    new_secret = rotated.json()["secret"]
    deliveries = (
        await notifications.client.get(f"/v1/webhooks/{endpoint['id']}/deliveries", headers=auth)
    ).json()["items"]
    cursor = deliveries[0]["seq"]
    replayed = await notifications.client.post(
        f"/v1/webhooks/{endpoint['id']}/replay", json={"after": cursor}, headers=auth
    )
    assert replayed.json() == {"requeued": 2}
    await wait_for(lambda: len(receiver.received) >= 5)
    again = receiver.received[3:]
    assert {h["webhook-id"] for h, _, _ in again} == {d["message_id"] for d in deliveries[1:]}
    for headers, body, _ in again:  # both the new and the old secret verify
        Webhook(new_secret).verify(body, headers)
        Webhook(endpoint["secret"]).verify(body, headers)


async def test_a_delivery_goes_to_the_checked_address_and_keeps_no_answer_body(
    notifications, receiver
):
    partner = member_id("partner")
    # By name: resolved, checked, and the try connects to that address with the name in
    # the Host header (pinned), not to whatever a second lookup would say.
    by_name = receiver.url.replace("127.0.0.1", "localhost")
    endpoint = await register(notifications, partner, by_name)
    receiver.script = ["500"]
    post = public_post(member_id("p"))
    await notifications.put(m.PostCreated(post_id=post.post_id, post=post))
    await wait_for(lambda: len(receiver.received) >= 2)  # the 500, then the retry
    assert receiver.received[0][0]["host"] == by_name.split("/")[2]
    auth = notifications.auth(partner, Role.PARTNER)
    got = await notifications.client.get(f"/v1/webhooks/{endpoint['id']}/deliveries",
                                         headers=auth)  # fmt: skip
    assert "hunter2" not in got.text and "internal" not in got.text


async def test_a_410_disables_the_endpoint(notifications, receiver):
    partner = member_id("partner")
    endpoint = await register(notifications, partner, receiver.url)
    receiver.script = ["410"]
    post = public_post(member_id("p"))
    await notifications.put(m.PostCreated(post_id=post.post_id, post=post))
    auth = notifications.auth(partner, Role.PARTNER)

    async def disabled() -> bool:
        got = await notifications.client.get(f"/v1/webhooks/{endpoint['id']}", headers=auth)
        return got.json()["enabled"] is False

    await eventually(disabled, 10, "the endpoint to be disabled")
    got = (await notifications.client.get(f"/v1/webhooks/{endpoint['id']}", headers=auth)).json()
    assert got["enabled"] is False and "410" in got["disabled_reason"]


async def test_a_partner_that_never_answers_does_not_hold_up_another(make_notifications, receiver):
    harness = await make_notifications(webhook_timeout_s=20.0, webhook_per_endpoint=2)
    await register(harness, member_id("slow"), receiver.url.replace("/entraide", "/slow"))
    quick = await register(harness, member_id("quick"), receiver.url)
    posts = [public_post(member_id("p")) for _ in range(8)]
    event_ids = [await harness.put(m.PostCreated(post_id=p.post_id, post=p)) for p in posts]
    # Well inside the slow endpoint's 20 s timeout: the quick one got everything.
    await wait_for(lambda: set(verified(receiver, quick["secret"])) >= set(event_ids), 10)
    # and the slow one never had more than its bound in flight.
    assert receiver.slow_arrivals == 2


def field_named(body: dict) -> str:
    """The field an error is about, in either error shape (see shared/runtime/web.py)."""
    detail = body["detail"]
    return detail[0]["loc"][-1] if isinstance(detail, list) else detail["field"]


async def test_bad_endpoints_are_refused_with_the_field(make_notifications):
    strict = await make_notifications(allow_private_webhooks=False)
    partner = strict.auth(member_id("partner"), Role.PARTNER)
    for url in ("http://127.0.0.1:9/x", "http://10.0.0.8/x", "http://localhost/x",
                "ftp://example.org/x", "http://user:pw@example.org/x", "http://[::1",
                "http://example.org:99999/x"):  # fmt: skip
        response = await strict.client.post("/v1/webhooks", json={"url": url}, headers=partner)
        assert response.status_code == 422, url
        assert field_named(response.json()) == "url", response.text
    bad_filters = {"url": "https://example.org/x", "filters": {"kinds": ["gift"]}}
    response = await strict.client.post("/v1/webhooks", json=bad_filters, headers=partner)
    assert response.status_code == 422
    assert "kinds" in response.json()["detail"][0]["loc"]
    member = strict.auth(member_id("member"))
    response = await strict.client.post("/v1/webhooks", json={"url": "https://example.org/x"},
                                        headers=member)  # fmt: skip
    assert response.status_code == 403


async def test_a_paused_endpoint_keeps_its_deliveries_and_a_test_delivery_arrives_signed(
    notifications, receiver
):
    partner = member_id("partner")
    endpoint = await register(notifications, partner, receiver.url)
    auth = notifications.auth(partner, Role.PARTNER)
    base = f"/v1/webhooks/{endpoint['id']}"
    paused = await notifications.client.post(f"{base}/pause", headers=auth)
    assert paused.status_code == 200 and paused.json()["enabled"] is False
    post = public_post(member_id("p"))
    await notifications.put(m.PostCreated(post_id=post.post_id, post=post))

    async def queued() -> bool:
        page = (await notifications.client.get(f"{base}/deliveries", headers=auth)).json()
        return len(page["items"]) == 1

    await eventually(queued, 10, "the delivery queued")
    await asyncio.sleep(1)  # paused: nothing is sent meanwhile
    assert receiver.received == []
    assert (await notifications.client.post(f"{base}/enable", headers=auth)).status_code == 200
    test = await notifications.client.post(f"{base}/test", headers=auth)
    assert test.status_code == 202
    await wait_for(lambda: len(verified(receiver, endpoint["secret"])) == 2)
    kinds = sorted(p["type"] for p in verified(receiver, endpoint["secret"]).values())
    assert kinds == ["org.entraide.post.created.v1", "org.entraide.webhook.test.v1"]
    other = notifications.auth(member_id("other"), Role.PARTNER)
    assert (await notifications.client.post(f"{base}/test", headers=other)).status_code == 403


async def test_partners_hear_of_matches_and_get_each_days_outcomes(make_notifications, receiver):
    """A match reaches the partner without its members; five resolutions in one area
    make a published cell, in the console's API and in the day's delivery."""
    harness = await make_notifications(outcomes_tick_s=0.3, **FAST_RETRIES)
    partner = member_id("partner")
    auth = harness.auth(partner, Role.PARTNER)
    # Two days ago: a day that is closed at any hour this test runs.
    resolved_at = datetime.now(UTC) - timedelta(days=2)
    day = resolved_at.date().isoformat()
    posts = [public_post(member_id("p"), category=Category.HOUSING) for _ in range(5)]
    for post in posts:
        await harness.put(m.PostCreated(post_id=post.post_id, post=post))
        await harness.put(m.PostResolved(post_id=post.post_id, outcome="helped",
                                         resolved_at=resolved_at))  # fmt: skip

    async def cells() -> list[dict]:
        got = await harness.client.get(f"/v1/outcomes?from={day}&to={day}", headers=auth)
        assert got.status_code == 200, got.text
        return got.json()[0]["cells"]

    await eventually(lambda: _counted(cells, 5), 20, "the five resolutions counted")
    [cell] = await cells()
    assert (cell["category"], cell["kind"], cell["resolved"]) == ("housing", "request", 5)
    too_long = await harness.client.get("/v1/outcomes?from=2026-01-01&to=2026-12-31", headers=auth)
    assert too_long.status_code == 422 and too_long.json()["detail"]["field"] == "to"
    as_member = harness.auth(member_id("m"), Role.MEMBER)
    member = await harness.client.get(f"/v1/outcomes?from={day}&to={day}", headers=as_member)
    assert member.status_code == 403

    endpoint = await register(harness, partner, receiver.url)
    offer = public_post(member_id("o"), kind="offer", category=Category.HOUSING)
    request = public_post(member_id("r"), category=Category.HOUSING)
    for post in (offer, request):
        await harness.put(m.PostCreated(post_id=post.post_id, post=post))
    await harness.put(m.MatchFound(
        match_id=member_id("match"), request_id=request.post_id, offer_id=offer.post_id,
        request_author_id=request.author_id, offer_author_id=offer.author_id, score=0.8,
        reasons=(), found_at=NOW,
    ))  # fmt: skip

    def received(kind: str) -> list[dict]:
        got = verified(receiver, endpoint["secret"]).values()
        return [p for p in got if p["type"] == kind]

    await wait_for(lambda: received("org.entraide.match.found.v1")
                   and [d for d in received("org.entraide.outcomes.daily.v1")
                        if d["data"]["day"] == day])  # fmt: skip
    [match] = received("org.entraide.match.found.v1")
    assert match["data"]["request_id"] == request.post_id
    assert request.author_id not in json.dumps(match) and offer.author_id not in json.dumps(match)
    [outcomes] = [d for d in received("org.entraide.outcomes.daily.v1") if d["data"]["day"] == day]
    assert [c["resolved"] for c in outcomes["data"]["cells"]] == [5]


async def _counted(cells, n: int) -> bool:
    got = await cells()
    return bool(got) and got[0]["resolved"] == n
