"""The Post aggregate: transitions, rights, and the events each change records."""

from datetime import timedelta

import pytest

from services.posts.domain.posts import (
    NORMAL_DEFAULT_TTL,
    URGENT_DEFAULT_TTL,
    Post,
    PostDraft,
    PostStatus,
)
from shared.contract import events as E
from shared.contract.errors import Conflict, Forbidden, Invalid
from shared.contract.identity import Role
from shared.contract.values import Category, Kind, Outcome, Point, ReplyIntent, Urgency
from tests.factories import FESTIVAL, NOW

AUTHOR, OTHER = "u-author", "u-other"


def draft(**changes) -> PostDraft:
    fields = dict(
        kind=Kind.OFFER,
        category=Category.VEHICLES,
        title="Car for the weekend",
        body="A small Clio, Friday to Sunday.",
        language="fr",
        point=FESTIVAL,
        radius_m=5_000,
    )
    fields.update(changes)
    return PostDraft(**fields)


def new_post(**changes) -> Post:
    post = Post.create("01JPOST0000000000000000000", AUTHOR, draft(**changes), NOW)
    post.events.clear()
    return post


def test_creating_records_post_created_with_the_fuzzed_location_only():
    post = Post.create("p1", AUTHOR, draft(), NOW)
    [event] = post.events
    assert isinstance(event, E.PostCreated)
    assert event.post.location.lat != FESTIVAL.lat or event.post.location.lon != FESTIVAL.lon
    assert "point" not in event.post.model_dump()
    assert post.expires_at == NOW + NORMAL_DEFAULT_TTL


def test_an_urgent_request_also_records_its_exact_point_for_matching():
    post = Post.create("p1", AUTHOR, draft(kind=Kind.REQUEST, urgency=Urgency.URGENT), NOW)
    created, placed = post.events
    assert isinstance(created, E.PostCreated) and isinstance(placed, E.UrgentRequestPlaced)
    assert placed.point == FESTIVAL
    assert post.expires_at == NOW + URGENT_DEFAULT_TTL


def test_an_offer_cannot_be_urgent():
    with pytest.raises(Invalid) as raised:
        Post.create("p1", AUTHOR, draft(urgency=Urgency.URGENT), NOW)
    assert raised.value.field == "urgency"


@pytest.mark.parametrize(
    "ahead,ok",
    [(timedelta(minutes=5), False), (timedelta(days=2), True), (timedelta(weeks=20), False)],
)
def test_expiry_must_be_between_fifteen_minutes_and_twelve_weeks_ahead(ahead, ok):
    if ok:
        assert Post.create("p", AUTHOR, draft(expires_at=NOW + ahead), NOW).expires_at
    else:
        with pytest.raises(Invalid):
            Post.create("p", AUTHOR, draft(expires_at=NOW + ahead), NOW)


def test_only_the_author_edits_and_an_edit_records_the_new_projection():
    post = new_post()
    with pytest.raises(Forbidden):
        post.edit(OTHER, {"title": "Mine now"}, NOW)
    post.edit(
        AUTHOR, {"title": "Car for the long weekend", "point": Point(lat=45.76, lon=4.83)}, NOW
    )
    [event] = post.events
    assert isinstance(event, E.PostUpdated)
    assert event.post.title == "Car for the long weekend"
    assert abs(event.post.location.lat - 45.76) < 0.01


def test_kind_and_urgency_cannot_be_edited():
    with pytest.raises(Invalid):
        new_post().edit(AUTHOR, {"urgency": Urgency.URGENT}, NOW)


def test_resolve_by_author_or_moderator_once():
    post = new_post()
    with pytest.raises(Forbidden):
        post.resolve(OTHER, Role.MEMBER, Outcome.HELPED, NOW)
    post.resolve(OTHER, Role.MODERATOR, Outcome.HELPED, NOW)
    assert post.status is PostStatus.RESOLVED
    assert isinstance(post.events[-1], E.PostResolved)
    with pytest.raises(Conflict):
        post.resolve(AUTHOR, Role.MEMBER, Outcome.HELPED, NOW)


def test_expiry_happens_only_when_due_and_only_once():
    post = new_post()
    post.expire(NOW)
    assert post.status is PostStatus.OPEN and post.events == []
    later = post.expires_at + timedelta(seconds=1)
    post.expire(later)
    post.expire(later)
    assert post.status is PostStatus.EXPIRED
    assert [type(e) for e in post.events] == [E.PostExpired]


def test_reports_remove_the_post_when_their_weight_reaches_the_threshold():
    post = new_post()
    with pytest.raises(Invalid):
        post.report(AUTHOR, 1.0, 3, NOW)
    post.report("r1", 1.0, 3, NOW)
    post.report("r2", 1.0, 3, NOW)
    post.report("r3", 0.75, 3, NOW)
    assert post.status is PostStatus.OPEN
    post.report("r4", 0.25, 3, NOW)
    assert post.status is PostStatus.REMOVED
    assert post.events[-1] == E.PostRemoved(post_id=post.id, reason="reports", removed_at=NOW)


def test_a_moderator_restores_a_removed_post_and_its_reports_are_spent():
    post = new_post()
    with pytest.raises(Conflict):
        post.restore(Role.MODERATOR, NOW)
    post.remove(Role.MODERATOR, NOW)
    with pytest.raises(Forbidden):
        post.restore(Role.MEMBER, NOW)
    post.restore(Role.MODERATOR, NOW, "Amine")
    assert post.status is PostStatus.OPEN and post.report_weight == 0
    restored = post.events[-1]
    assert isinstance(restored, E.PostRestored) and restored.post.author_name == "Amine"


def test_only_moderators_remove():
    post = new_post()
    with pytest.raises(Forbidden):
        post.remove(Role.MEMBER, NOW)
    post.remove(Role.MODERATOR, NOW)
    with pytest.raises(Conflict):
        post.remove(Role.MODERATOR, NOW)


def test_replies_on_live_posts_only_and_no_help_offered_to_oneself():
    post = new_post()
    reply = post.reply("r1", OTHER, ReplyIntent.CAN_HELP, "I can drive it", NOW)
    assert isinstance(reply, E.ReplyCreated) and reply.post_author_id == AUTHOR
    with pytest.raises(Invalid):
        post.reply("r2", AUTHOR, ReplyIntent.CAN_HELP, "me", NOW)
    post.resolve(AUTHOR, Role.MEMBER, Outcome.HELPED, NOW)
    with pytest.raises(Conflict):
        post.reply("r3", OTHER, ReplyIntent.COMMENT, "too late?", NOW)
