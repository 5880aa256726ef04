"""The posts handlers through fakes of their ports: each command's rights, limits, the
rows it writes and the events that go with them in the same transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.posts.domain.accounts import Profile
from services.posts.domain.feed import FeedQuery
from services.posts.domain.posts import PostDraft, PostStatus
from services.posts.handlers import Handlers, Limits, SessionPolicy
from shared.contract import events as E
from shared.contract.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited, Unauthorized
from shared.contract.identity import Claims, Role
from shared.contract.values import Category, Kind, Outcome, Point, ReplyIntent, Urgency
from tests.factories import FESTIVAL, NOW
from tests.fakes.posts import (
    FakeClock,
    FakeGazetteer,
    FakeImageProcessor,
    FakeLimiter,
    FakePasswords,
    FakePhotoStore,
    FakeQueries,
    FakeSecrets,
    FakeStore,
    FakeTokens,
)

SESSIONS = SessionPolicy(access_token_ttl_s=900, refresh_token_ttl=timedelta(days=30))
LIMITS = Limits(
    posts_per_hour=2,
    replies_per_hour=5,
    reports_per_hour=5,
    urgent_per_day=1,
    logins_per_window=3,
    login_window_s=300,
    registrations_per_address=20,
    registrations_per_minute=100,
    report_hide_threshold=2,
)


@pytest.fixture
def handlers() -> Handlers:
    return make_handlers()


def make_handlers() -> Handlers:
    store = FakeStore()
    return Handlers(
        store=store,
        queries=FakeQueries(store),
        limiter=FakeLimiter(),
        passwords=FakePasswords(),
        tokens=FakeTokens(),
        clock=FakeClock(NOW),
        limits=LIMITS,
        sessions=SESSIONS,
        secrets=FakeSecrets(),
        places=FakeGazetteer(),
        images=FakeImageProcessor(),
        photos=FakePhotoStore(),
    )


def events(handlers: Handlers) -> list:
    return handlers.store.events


async def member(handlers: Handlers, name: str, role: Role = Role.MEMBER) -> Claims:
    account = await handlers.register(f"{name}@example.org", "a long password", Profile(name))
    if role is not Role.MEMBER:
        handlers.store.memory.accounts[account.id].role = role
    return Claims(account.id, role, 0, name)


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
    assert taken.value.field == "email" and taken.value.code == "email_taken"
    assert len(events(handlers)) == 1  # the refused registration wrote nothing


async def test_log_in_issues_a_token_and_counts_attempts_per_address(handlers):
    lea = await member(handlers, "lea")
    granted = await handlers.log_in("lea@example.org", "a long password", "10.0.0.1")
    assert granted.access_token == f"token:{lea.member_id}:member:900:lea"
    assert granted.account.id == lea.member_id and granted.refresh_token == "secret-1"
    with pytest.raises(Unauthorized) as wrong:
        await handlers.log_in("lea@example.org", "wrong", "10.0.0.1")
    assert wrong.value.code == "wrong_login"
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
        await handlers.resolve_post(sam, first, Outcome.HELPED, [])
    assert (await handlers.resolve_post(lea, first, Outcome.HELPED, []))["status"] == "resolved"
    with pytest.raises(Conflict):
        await handlers.resolve_post(lea, first, Outcome.HELPED, [])
    await handlers.resolve_post(moussa, second, Outcome.OTHER, [])
    assert [type(e) for e in events(handlers)[-2:]] == [E.PostResolved, E.PostResolved]


def settled(handlers: Handlers, *members: Claims) -> None:
    """Members of a month, their address confirmed: each report weighs 0.75."""
    for claims in members:
        account = handlers.store.memory.accounts[claims.member_id]
        account.created_at, account.email_verified_at = NOW - timedelta(days=30), NOW


async def test_reports_hide_a_post_when_their_weight_reaches_the_threshold(handlers):
    lea, sam, ines, tom = [await member(handlers, n) for n in ("lea", "sam", "ines", "tom")]
    settled(handlers, sam, ines, tom)
    post_id = (await handlers.create_post(lea, draft()))["id"]
    with pytest.raises(Invalid):
        await handlers.report_post(lea, post_id, "my own")
    await handlers.report_post(sam, post_id, "spam", "10.0.0.1")
    with pytest.raises(Conflict):
        await handlers.report_post(sam, post_id, "spam again", "10.0.0.1")
    await handlers.report_post(ines, post_id, "spam", "10.0.0.2")
    assert handlers.store.memory.posts[post_id].status is PostStatus.OPEN  # 1.5 of 2
    await handlers.report_post(tom, post_id, "spam", "10.0.0.3")
    assert handlers.store.memory.posts[post_id].status is PostStatus.REMOVED
    removed = events(handlers)[-1]
    assert isinstance(removed, E.PostRemoved) and removed.reason == "reports"


async def test_fresh_accounts_and_one_address_weigh_little(handlers):
    lea = await member(handlers, "lea")
    first = (await handlers.create_post(lea, draft()))["id"]
    for n in range(7):  # a quarter each: 1.75 of 2, the post stays up
        fresh = await member(handlers, f"fresh{n}")
        await handlers.report_post(fresh, first, "spam", f"10.0.1.{n}")
    post = handlers.store.memory.posts[first]
    assert post.status is PostStatus.OPEN and post.report_weight == pytest.approx(1.75)

    second = (await handlers.create_post(lea, draft(title="Another car")))["id"]
    crowd = [await member(handlers, f"crowd{n}") for n in range(4)]
    settled(handlers, *crowd)
    for reporter in crowd:  # one address: it counts once
        await handlers.report_post(reporter, second, "spam", "10.9.9.9")
    post = handlers.store.memory.posts[second]
    assert post.status is PostStatus.OPEN and post.report_count == 4
    assert post.report_weight == pytest.approx(0.75)


async def test_reports_never_hide_an_urgent_request_while_its_alert_lives(handlers):
    lea, sam, ines, tom = [await member(handlers, n) for n in ("lea", "sam", "ines", "tom")]
    settled(handlers, sam, ines, tom)
    urgent = draft(kind=Kind.REQUEST, category=Category.FIND_A_PERSON, urgency=Urgency.URGENT)
    post_id = (await handlers.create_post(lea, urgent))["id"]
    for n, reporter in enumerate((sam, ines, tom)):  # over the threshold: it stays up
        await handlers.report_post(reporter, post_id, "spam", f"10.0.0.{n}")
    post = handlers.store.memory.posts[post_id]
    assert post.status is PostStatus.OPEN and post.report_count == 3
    assert not any(isinstance(e, E.PostRemoved) for e in events(handlers))


async def test_urgent_requests_are_capped_per_member_and_a_day(handlers):
    lea, sam = await member(handlers, "lea"), await member(handlers, "sam")
    urgent = draft(kind=Kind.REQUEST, category=Category.FIND_A_PERSON, urgency=Urgency.URGENT)
    await handlers.create_post(lea, urgent)
    with pytest.raises(RateLimited) as capped:  # one a day in these limits
        await handlers.create_post(lea, urgent)
    assert capped.value.code == "urgent_limit" and capped.value.field == "urgency"
    assert capped.value.params["n"] == 1 and capped.value.retry_after_s == 24 * 3600
    await handlers.create_post(sam, urgent)  # another member's is not counted with hers


async def test_an_urgent_request_beyond_the_alertable_latitudes_is_refused_with_a_reason(
    handlers,
):
    lea = await member(handlers, "lea")
    polar = draft(kind=Kind.REQUEST, category=Category.FIND_A_PERSON, urgency=Urgency.URGENT,
                  point=Point(lat=85.2, lon=10.0))  # fmt: skip
    with pytest.raises(Invalid) as refused:
        await handlers.create_post(lea, polar)
    assert refused.value.code == "urgent_out_of_range" and refused.value.field == "location"
    normal = await handlers.create_post(lea, draft(point=Point(lat=85.2, lon=10.0)))
    assert normal["status"] == "open"  # a normal post there is fine: nobody is alerted


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


async def log_in(handlers: Handlers, name: str):
    return await handlers.log_in(f"{name}@example.org", "a long password", "10.0.0.1")


async def test_a_refresh_token_is_exchanged_once_for_the_next(handlers):
    await member(handlers, "lea")
    first = await log_in(handlers, "lea")
    handlers.clock.now = NOW + timedelta(minutes=14)
    second = await handlers.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token and second.account.id == first.account.id
    third = await handlers.refresh(second.refresh_token)
    assert third.access_token.endswith(":900:lea")
    # Only hashes are stored.
    stored = handlers.store.memory.refresh_tokens
    assert first.refresh_token not in stored and len(stored) == 3


async def test_two_renewals_at_once_are_a_race_not_a_theft(handlers):
    await member(handlers, "lea")
    session = await log_in(handlers, "lea")
    first = await handlers.refresh(session.refresh_token)
    # Another tab, or a retry after a lost answer, with the same token a moment later.
    handlers.clock.now = NOW + timedelta(seconds=3)
    second = await handlers.refresh(session.refresh_token)
    assert {first.refresh_token, second.refresh_token} == {"secret-2", "secret-3"}
    for sibling in (first, second):  # both go on, in the same family
        assert (await handlers.refresh(sibling.refresh_token)).account.id == session.account.id


async def test_a_reused_refresh_token_revokes_its_whole_family_and_no_other(handlers):
    await member(handlers, "lea")
    phone, laptop = await log_in(handlers, "lea"), await log_in(handlers, "lea")
    renewed = await handlers.refresh(phone.refresh_token)
    handlers.clock.now = NOW + timedelta(minutes=1)  # long after the exchange: a copy
    with pytest.raises(Unauthorized) as stolen:  # a copy of the phone's first token
        await handlers.refresh(phone.refresh_token)
    assert stolen.value.code == "session_over" and "reused" in stolen.value.message
    with pytest.raises(Unauthorized):  # the phone's current token went with its family
        await handlers.refresh(renewed.refresh_token)
    assert (await handlers.refresh(laptop.refresh_token)).account.id == laptop.account.id


async def test_unknown_expired_and_logged_out_tokens_end_the_session(handlers):
    await member(handlers, "lea")
    for presented in (None, "", "never-issued"):
        with pytest.raises(Unauthorized):
            await handlers.refresh(presented)
    session = await log_in(handlers, "lea")
    await handlers.log_out(session.refresh_token)
    with pytest.raises(Unauthorized):
        await handlers.refresh(session.refresh_token)
    await handlers.log_out("never-issued")  # nothing to end: no error
    late = await log_in(handlers, "lea")
    handlers.clock.now = NOW + timedelta(days=31)
    with pytest.raises(Unauthorized) as expired:
        await handlers.refresh(late.refresh_token)
    assert "expired" in expired.value.message
    handlers.clock.now = NOW + timedelta(days=32)  # a day past the expiry: forgotten
    assert await handlers.forget_sessions() == 2


async def test_a_password_change_ends_every_session_but_a_new_one(handlers):
    lea = await member(handlers, "lea")
    phone, laptop = await log_in(handlers, "lea"), await log_in(handlers, "lea")
    with pytest.raises(Invalid) as wrong:
        await handlers.change_password(lea, "not it", "a new long password")
    assert wrong.value.field == "current_password" and wrong.value.code == "wrong_password"
    here = await handlers.change_password(lea, "a long password", "a new long password")
    for old in (phone, laptop):
        with pytest.raises(Unauthorized):
            await handlers.refresh(old.refresh_token)
    assert (await handlers.refresh(here.refresh_token)).account.id == lea.member_id
    with pytest.raises(Unauthorized):
        await log_in(handlers, "lea")
    await handlers.log_in("lea@example.org", "a new long password", "10.0.0.2")


async def test_events_carry_the_author_name_from_the_token(handlers):
    lea, sam = await member(handlers, "lea"), await member(handlers, "sam")
    post_id = (await handlers.create_post(lea, draft(kind=Kind.REQUEST)))["id"]
    created = events(handlers)[-1]
    assert isinstance(created, E.PostCreated) and created.post.author_name == "lea"
    await handlers.reply(sam, post_id, ReplyIntent.COMMENT, "Which weekend?")
    assert events(handlers)[-1].author_name == "sam"
    await handlers.edit_post(lea, post_id, {"title": "Car, next weekend"})
    assert events(handlers)[-1].post.author_name == "lea"


async def test_resolve_names_who_helped_among_those_who_replied(handlers):
    lea, sam, ines = [await member(handlers, n) for n in ("lea", "sam", "ines")]
    post_id = (await handlers.create_post(lea, draft(kind=Kind.REQUEST)))["id"]
    await handlers.reply(sam, post_id, ReplyIntent.CAN_HELP, "I have one")
    with pytest.raises(Invalid) as stranger:
        await handlers.resolve_post(lea, post_id, Outcome.HELPED, [ines.member_id])
    assert stranger.value.field == "helped_by" and stranger.value.code == "not_a_replier"
    with pytest.raises(Invalid):  # helpers go with "helped" only
        await handlers.resolve_post(lea, post_id, Outcome.NO_LONGER_NEEDED, [sam.member_id])
    view = await handlers.resolve_post(lea, post_id, Outcome.HELPED, [sam.member_id])
    assert view["status"] == "resolved" and view["helped_by"] == [sam.member_id]
    resolved = events(handlers)[-1]
    assert isinstance(resolved, E.PostResolved) and resolved.helped_by == (sam.member_id,)


async def test_only_the_author_withdraws_an_open_post(handlers):
    lea, sam = await member(handlers, "lea"), await member(handlers, "sam")
    moussa = await member(handlers, "moussa", Role.MODERATOR)
    post_id = (await handlers.create_post(lea, draft()))["id"]
    for other in (sam, moussa):
        with pytest.raises(Forbidden):
            await handlers.withdraw_post(other, post_id)
    assert (await handlers.withdraw_post(lea, post_id))["status"] == "withdrawn"
    withdrawn = events(handlers)[-1]
    assert isinstance(withdrawn, E.PostWithdrawn) and withdrawn.post_id == post_id
    with pytest.raises(Conflict):
        await handlers.withdraw_post(lea, post_id)
    with pytest.raises(Conflict):
        await handlers.reply(sam, post_id, ReplyIntent.COMMENT, "Still there?")
    assert [p["id"] for p in (await handlers.my_posts(lea, None, 10))["items"]] == [post_id]
    assert (await handlers.my_posts(sam, None, 10))["items"] == []


async def test_password_guesses_are_limited_per_member(handlers):
    lea = await member(handlers, "lea")
    for _ in range(LIMITS.logins_per_window):
        with pytest.raises(Invalid):
            await handlers.change_password(lea, "a guess", "a new long password")
    with pytest.raises(RateLimited):
        await handlers.change_password(lea, "a long password", "a new long password")


async def test_a_public_profile_counts_what_was_resolved_and_whom_it_named(handlers):
    lea, sam = await member(handlers, "lea"), await member(handlers, "sam")
    await handlers.update_profile(lea, {"bio": "Student in Lyon, a car at weekends."})
    request = (await handlers.create_post(lea, draft(kind=Kind.REQUEST, title="A lift")))["id"]
    await handlers.reply(sam, request, ReplyIntent.CAN_HELP, "I can drive you")
    await handlers.resolve_post(lea, request, Outcome.HELPED, [sam.member_id])
    profile = await handlers.member_profile(lea.member_id)
    assert profile["bio"] == "Student in Lyon, a car at weekends."
    assert (profile["requests_resolved"], profile["offers_resolved"], profile["helped"]) == (
        1,
        0,
        0,
    )
    assert "email" not in profile and "home" not in profile
    assert (await handlers.member_profile(sam.member_id))["helped"] == 1
    with pytest.raises(NotFound):
        await handlers.member_profile("no-such-member")


async def test_photos_are_the_authors_at_most_four_and_travel_as_references(handlers):
    lea, sam = await member(handlers, "lea"), await member(handlers, "sam")
    post_id = (await handlers.create_post(lea, draft()))["id"]
    with pytest.raises(Forbidden):
        await handlers.add_photo(sam, post_id, b"img sam")
    with pytest.raises(Invalid) as refused:
        await handlers.add_photo(lea, post_id, b"%PDF-1.7")
    assert refused.value.code == "not_an_image" and handlers.photos.files == {}
    with pytest.raises(Invalid) as too_big:
        await handlers.add_photo(lea, post_id, b"img" + b"x" * (10 * 1024 * 1024))
    assert too_big.value.code == "image_too_big"
    for n in range(4):
        view = await handlers.add_photo(lea, post_id, f"img {n}".encode())
    assert len(view["photos"]) == 4
    updated = events(handlers)[-1]
    assert isinstance(updated, E.PostUpdated) and list(updated.post.photos) == view["photos"]
    with pytest.raises(Conflict) as full:
        await handlers.add_photo(lea, post_id, b"img 5")
    assert full.value.code == "too_many_photos"
    first = view["photos"][0]
    assert await handlers.photo(first, thumb=True) == b"thumb:img 0"
    view = await handlers.remove_photo(lea, post_id, first)
    assert first not in view["photos"] and len(view["photos"]) == 3
    with pytest.raises(NotFound):
        await handlers.remove_photo(lea, post_id, first)


async def test_a_guessable_password_is_refused_at_registration_and_change(handlers):
    with pytest.raises(Invalid) as weak:
        await handlers.register("lea@example.org", "password123", Profile("Léa"))
    assert weak.value.code == "weak_password" and weak.value.field == "password"
    with pytest.raises(Invalid):  # made of her own e-mail
        await handlers.register("lea@example.org", "lea-lea-lea-2026", Profile("Léa"))
    lea = await member(handlers, "lea")
    with pytest.raises(Invalid) as weak:
        await handlers.change_password(lea, "a long password", "azertyuiop")
    assert weak.value.field == "new_password" and weak.value.code == "weak_password"
