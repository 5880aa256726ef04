"""The posts handlers through fakes of their ports: each command's rights, limits, the
rows it writes and the events that go with them in the same transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.posts.domain.accounts import Profile
from services.posts.domain.feed import FeedQuery
from services.posts.domain.posts import PostDraft, PostStatus
from services.posts.handlers import Handlers, Limits
from shared.contract import events as E
from shared.contract.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited, Unauthorized
from shared.contract.identity import Claims, Role
from shared.contract.values import Category, Kind, Outcome, ReplyIntent, Urgency
from tests.factories import FESTIVAL, NOW
from tests.fakes.posts import (
    FakeClock,
    FakeLimiter,
    FakePasswords,
    FakeQueries,
    FakeStore,
    FakeTokens,
)

LIMITS = Limits(
    posts_per_hour=2,
    replies_per_hour=5,
    reports_per_hour=5,
    logins_per_window=3,
    login_window_s=300,
    report_hide_threshold=2,
)


@pytest.fixture
def handlers() -> Handlers:
    store = FakeStore()
    return Handlers(
        store=store,
        queries=FakeQueries(store),
        limiter=FakeLimiter(),
        passwords=FakePasswords(),
        tokens=FakeTokens(),
        clock=FakeClock(NOW),
        limits=LIMITS,
    )


def events(handlers: Handlers) -> list:
    return handlers.store.events


async def member(handlers: Handlers, name: str, role: Role = Role.MEMBER) -> Claims:
    account = await handlers.register(f"{name}@example.org", "a long password", Profile(name))
    if role is not Role.MEMBER:
        handlers.store.memory.accounts[account.id].role = role
    return Claims(account.id, role, 0)


def draft(**changes) -> PostDraft:
    fields = dict(kind=Kind.OFFER, category=Category.VEHICLES, title="Car for the weekend",
                  body="A Clio.", language="fr", point=FESTIVAL, radius_m=5_000)  # fmt: skip
    return PostDraft(**{**fields, **changes})


async def test_register_stores_the_account_and_its_profile_event_once_per_email(handlers):
    lea = await member(handlers, "lea")
    [changed] = events(handlers)
    assert isinstance(changed, E.MemberProfileChanged) and changed.member_id == lea.member_id
    with pytest.raises(Conflict) as taken:
        await handlers.register("LEA@example.org", "another password", Profile("Léa bis"))
    assert taken.value.field == "email"
    assert len(events(handlers)) == 1  # the refused registration wrote nothing


async def test_log_in_issues_a_token_and_counts_attempts_per_address(handlers):
    lea = await member(handlers, "lea")
    token, account = await handlers.log_in("lea@example.org", "a long password", "10.0.0.1")
    assert token == f"token:{lea.member_id}:member" and account.id == lea.member_id
    with pytest.raises(Unauthorized):
        await handlers.log_in("lea@example.org", "wrong", "10.0.0.1")
    with pytest.raises(Unauthorized):
        await handlers.log_in("nobody@example.org", "a long password", "10.0.0.1")
    with pytest.raises(RateLimited):  # the fourth try from this address in the window
        await handlers.log_in("lea@example.org", "a long password", "10.0.0.1")
    await handlers.log_in("lea@example.org", "a long password", "10.0.0.2")


async def test_a_profile_change_is_saved_with_its_event(handlers):
    lea = await member(handlers, "lea")
    account = await handlers.update_profile(lea, {"urgent_alerts_consent": True, "home": FESTIVAL})
    assert account.profile.urgent_alerts_consent
    changed = events(handlers)[-1]
    assert isinstance(changed, E.MemberProfileChanged)
    assert changed.urgent_alerts_consent and changed.home == FESTIVAL
    with pytest.raises(NotFound):
        await handlers.update_profile(Claims("ghost", Role.MEMBER, 0), {"languages": ["fr"]})


async def test_a_new_post_is_written_with_its_events_and_shown_to_its_author(handlers):
    lea = await member(handlers, "lea")
    view = await handlers.create_post(lea, draft())
    assert view["author"] == "lea" and view["exact_location"] == FESTIVAL.model_dump()
    created = events(handlers)[-1]
    assert isinstance(created, E.PostCreated) and created.post_id == view["id"]
    urgent = await handlers.create_post(
        lea, draft(kind=Kind.REQUEST, category=Category.FIND_A_PERSON, urgency=Urgency.URGENT)
    )
    created, placed = events(handlers)[-2:]
    assert isinstance(placed, E.UrgentRequestPlaced) and placed.post_id == urgent["id"]
    with pytest.raises(RateLimited):  # two posts an hour in these limits
        await handlers.create_post(lea, draft())


async def test_only_the_author_edits_and_the_edit_is_one_event(handlers):
    lea, sam = await member(handlers, "lea"), await member(handlers, "sam")
    post_id = (await handlers.create_post(lea, draft()))["id"]
    with pytest.raises(Forbidden):
        await handlers.edit_post(sam, post_id, {"title": "Mine now"})
    view = await handlers.edit_post(lea, post_id, {"title": "Car for Saturday only"})
    assert view["title"] == "Car for Saturday only"
    assert isinstance(events(handlers)[-1], E.PostUpdated)
    with pytest.raises(NotFound):
        await handlers.edit_post(lea, "no-such-post", {"title": "Hello"})


async def test_the_author_or_a_moderator_resolves_once(handlers):
    lea, sam = await member(handlers, "lea"), await member(handlers, "sam")
    moussa = await member(handlers, "moussa", Role.MODERATOR)
    first = (await handlers.create_post(lea, draft()))["id"]
    second = (await handlers.create_post(lea, draft(title="A van too")))["id"]
    with pytest.raises(Forbidden):
        await handlers.resolve_post(sam, first, Outcome.HELPED)
    assert (await handlers.resolve_post(lea, first, Outcome.HELPED))["status"] == "resolved"
    with pytest.raises(Conflict):
        await handlers.resolve_post(lea, first, Outcome.HELPED)
    await handlers.resolve_post(moussa, second, Outcome.OTHER)
    assert [type(e) for e in events(handlers)[-2:]] == [E.PostResolved, E.PostResolved]


async def test_distinct_reports_hide_a_post_at_the_threshold(handlers):
    lea, sam, ines = [await member(handlers, n) for n in ("lea", "sam", "ines")]
    post_id = (await handlers.create_post(lea, draft()))["id"]
    with pytest.raises(Invalid):
        await handlers.report_post(lea, post_id, "my own")
    await handlers.report_post(sam, post_id, "spam")
    with pytest.raises(Conflict):
        await handlers.report_post(sam, post_id, "spam again")
    assert handlers.store.memory.posts[post_id].status is PostStatus.OPEN
    await handlers.report_post(ines, post_id, "spam")
    assert handlers.store.memory.posts[post_id].status is PostStatus.REMOVED
    removed = events(handlers)[-1]
    assert isinstance(removed, E.PostRemoved) and removed.reason == "reports"


async def test_only_a_moderator_removes(handlers):
    lea = await member(handlers, "lea")
    moussa = await member(handlers, "moussa", Role.MODERATOR)
    post_id = (await handlers.create_post(lea, draft()))["id"]
    with pytest.raises(Forbidden):
        await handlers.remove_post(lea, post_id)
    await handlers.remove_post(moussa, post_id)
    assert isinstance(events(handlers)[-1], E.PostRemoved)


async def test_a_reply_is_stored_with_its_event_and_the_author_cannot_offer_help(handlers):
    lea, sam = await member(handlers, "lea"), await member(handlers, "sam")
    post_id = (await handlers.create_post(lea, draft(kind=Kind.REQUEST)))["id"]
    view = await handlers.reply(sam, post_id, ReplyIntent.CAN_HELP, "I have one")
    reply = events(handlers)[-1]
    assert isinstance(reply, E.ReplyCreated) and reply.reply_id == view["id"]
    assert reply.post_author_id == lea.member_id and reply.intent is ReplyIntent.CAN_HELP
    with pytest.raises(Invalid):
        await handlers.reply(lea, post_id, ReplyIntent.CAN_HELP, "I can help myself")


async def test_the_sweep_expires_what_is_due_and_nothing_else(handlers):
    lea = await member(handlers, "lea")
    soon = (await handlers.create_post(lea, draft(expires_at=NOW + timedelta(hours=1))))["id"]
    handlers.limits = Limits(**{**LIMITS.__dict__, "posts_per_hour": 10})
    later = (await handlers.create_post(lea, draft(expires_at=NOW + timedelta(days=3))))["id"]
    handlers.clock.now = NOW + timedelta(hours=2)
    assert await handlers.expire_due() == 1
    assert handlers.store.memory.posts[soon].status is PostStatus.EXPIRED
    assert handlers.store.memory.posts[later].status is PostStatus.OPEN
    assert isinstance(events(handlers)[-1], E.PostExpired)
    assert await handlers.expire_due() == 0


async def test_reads_go_to_the_read_side(handlers):
    lea = await member(handlers, "lea")
    post_id = (await handlers.create_post(lea, draft()))["id"]
    assert "exact_location" not in await handlers.post(post_id, None)
    assert [p["id"] for p in (await handlers.feed(FeedQuery(), None))["items"]] == [post_id]
    with pytest.raises(NotFound):
        await handlers.post("missing", None)
