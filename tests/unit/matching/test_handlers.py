"""Routing and matching as the agents call them, with dicts standing in for tables."""

from datetime import timedelta

from services.matching import handlers
from services.matching.domain.index import CandidateIndex
from services.matching.domain.posts import OpenPost
from shared.contract.events import PostCreated, PostExpired, PostResolved, PostUpdated
from shared.contract.values import Category, FuzzedLocation, Kind, Outcome, Point, Urgency
from tests.factories import NOW, public_post


def created(post_id, kind, *, category=Category.VEHICLES, at=(48.8566, 2.3522), author=None,
            title="Voiture pour le week-end", now=NOW, **changes):  # fmt: skip
    post = public_post(
        post_id, author_id=author or f"u-{post_id}", kind=kind, category=category, title=title,
        body="", language="fr", urgency=Urgency.NORMAL, radius_m=5_000,
        location=FuzzedLocation.of(Point(lat=at[0], lon=at[1])),
        created_at=now, updated_at=now, expires_at=now + timedelta(days=7), **changes,
    )  # fmt: skip
    return PostCreated(post_id=post_id, post=post)


def run(events):
    """Route then match every event, as the agents do, each category with its own table
    and index as on its own partition; return the matches and the open posts."""
    categories, found = {}, []
    partitions: dict[str, tuple[dict, CandidateIndex]] = {}
    for event in events:
        for category, message in handlers.route(event, categories):
            open_posts, index = partitions.setdefault(category, ({}, CandidateIndex()))
            found += handlers.match(message, open_posts, index, NOW)
    return found, {k: v for open_posts, _ in partitions.values() for k, v in open_posts.items()}


def test_a_request_then_an_offer_give_one_match_with_reasons():
    [match], _ = run([created("r1", Kind.REQUEST), created("o1", Kind.OFFER)])
    assert (match.request_id, match.offer_id) == ("r1", "o1")
    assert match.request_author_id == "u-r1" and match.offer_author_id == "u-o1"
    assert {r.factor for r in match.reasons} == {
        "category",
        "distance",
        "time",
        "words",
        "language",
    }


def test_the_same_pair_in_the_other_order_gives_the_same_match_and_event_id():
    [a], _ = run([created("r1", Kind.REQUEST), created("o1", Kind.OFFER)])
    [b], _ = run([created("o1", Kind.OFFER), created("r1", Kind.REQUEST)])
    assert a == b
    assert handlers.match_event_id(a) == handlers.match_event_id(b)


def test_a_non_matching_pair_gives_nothing():
    found, _ = run(
        [created("r1", Kind.REQUEST), created("o1", Kind.OFFER, category=Category.HOUSING)]
    )
    assert found == []


def test_a_closed_post_leaves_the_index_and_is_never_matched_again():
    found, open_posts = run([
        created("r1", Kind.REQUEST),
        PostResolved(post_id="r1", outcome=Outcome.HELPED, resolved_at=NOW),
        created("r1", Kind.REQUEST),  # re-delivered after the close
        created("o1", Kind.OFFER),
    ])  # fmt: skip
    assert found == [] and set(open_posts) == {"o1"}


def test_an_event_seen_twice_changes_nothing_new():
    once, state_once = run([created("r1", Kind.REQUEST), created("o1", Kind.OFFER)])
    twice, state_twice = run([created("r1", Kind.REQUEST), created("o1", Kind.OFFER),
                              created("o1", Kind.OFFER)])  # fmt: skip
    assert state_once == state_twice
    # The duplicate recomputes the same pair: same content, same event id.
    assert set(twice) == set(once)
    assert {handlers.match_event_id(m) for m in twice} == {handlers.match_event_id(m) for m in once}


def test_an_edit_keeps_the_post_open_and_an_expiry_closes_it():
    edited = PostUpdated(post_id="r1", post=created("r1", Kind.REQUEST, title="Camionnette").post)
    _, open_posts = run([created("r1", Kind.REQUEST), edited])
    assert "camionnette" in open_posts["r1"]["words"]
    _, open_posts = run([created("r1", Kind.REQUEST), PostExpired(post_id="r1", expired_at=NOW)])
    assert open_posts == {}


def test_an_edit_to_another_category_closes_the_post_in_the_old_one():
    moved = PostUpdated(
        post_id="r1", post=created("r1", Kind.REQUEST, category=Category.HOUSING).post
    )
    # An offer in the old category no longer meets it: its matcher was told.
    found, open_posts = run([created("r1", Kind.REQUEST), moved, created("o1", Kind.OFFER)])
    assert found == [] and open_posts["r1"]["category"] == "housing"
    categories = {}
    handlers.route(created("r1", Kind.REQUEST), categories)
    routed = handlers.route(moved, categories)
    assert [(category, message["op"]) for category, message in routed] == [
        ("vehicles", "close"),
        ("housing", "open"),
    ]


def test_the_index_rebuilt_from_the_table_finds_the_same_candidates():
    _, open_posts = run([created("o1", Kind.OFFER), created("o2", Kind.OFFER, at=(48.86, 2.36))])
    index = handlers.rebuild_index(open_posts)
    request = OpenPost.of(created("r9", Kind.REQUEST).post)
    assert {p.post_id for p in index.candidates(request)} == {"o1", "o2"}
