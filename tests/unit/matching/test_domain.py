"""Matching's pure domain: words, scores and reasons, the index, the rings."""

from datetime import timedelta

import pytest

from services.matching.domain import rings
from services.matching.domain.index import CandidateIndex
from services.matching.domain.posts import OpenPost
from services.matching.domain.score import MATCH_THRESHOLD, best_matches, score
from services.matching.domain.words import fold, keywords
from shared.contract.values import Category, Kind
from tests.factories import NOW

PARIS = (48.8566, 2.3522)


def post(post_id, kind=Kind.REQUEST, category=Category.VEHICLES, at=PARIS, radius_m=5_000,
         text="voiture week-end Lyon", language="fr", author=None, hours=48):  # fmt: skip
    return OpenPost(
        post_id=post_id, author_id=author or f"u-{post_id}", kind=kind, category=category,
        lat=at[0], lon=at[1], radius_m=radius_m, language=language, words=keywords(text),
        created_at=NOW, expires_at=NOW + timedelta(hours=hours),
    )  # fmt: skip


def test_words_fold_accents_and_case_and_drop_stop_words():
    assert fold("Été À Noël") == "ete a noel"
    assert keywords("Je cherche une VOITURE pour le week-end à Lyon") == {
        "voiture", "week", "end", "lyon"
    }  # fmt: skip
    assert keywords("Looking for two tickets for the concert") == {"two", "tickets", "concert"}


def test_a_request_and_a_matching_offer_score_with_every_reason():
    request = post("r", text="Cherche voiture pour le week-end")
    offer = post("o", kind=Kind.OFFER, at=(48.86, 2.36), text="Je prête ma voiture ce week-end")
    scored = score(request, offer)
    assert scored is not None and scored.score >= MATCH_THRESHOLD
    assert (scored.request.post_id, scored.offer.post_id) == ("r", "o")
    factors = {r.factor: r for r in scored.reasons}
    assert set(factors) == {"category", "distance", "time", "words", "language"}
    assert "voiture" in factors["words"].detail and "week" in factors["words"].detail
    # What each reason is about, for the client to say it in the reader's language.
    assert {"voiture", "week"} <= set(factors["words"].words)
    assert factors["distance"].distance_m == 685  # from the cell centres (the public points)
    assert factors["language"].languages == ("fr",)
    assert sum(r.weight for r in scored.reasons) == pytest.approx(scored.score, abs=1e-3)
    assert score(offer, request).score == scored.score  # symmetric


@pytest.mark.parametrize(
    "change",
    [
        {"category": Category.HOUSING},
        {"kind": Kind.REQUEST},
        {"at": (45.764, 4.8357)},  # Lyon: beyond both radii
        {"author": "u-r"},  # one's own post
    ],
)
def test_pairs_that_cannot_match(change):
    request = post("r")
    offer = post("o", **{"kind": Kind.OFFER, **change})
    assert score(request, offer) is None


def test_posts_that_do_not_overlap_in_time_do_not_match():
    request = post("r")
    offer = post("o", kind=Kind.OFFER)
    late = OpenPost(**{**offer.__dict__, "created_at": request.expires_at + timedelta(hours=1),
                       "expires_at": request.expires_at + timedelta(days=2)})  # fmt: skip
    assert score(request, late) is None


def test_the_larger_radius_gives_the_reach():
    request = post("r", radius_m=1_000)
    far_offer = post("o", kind=Kind.OFFER, at=(48.90, 2.3522), radius_m=8_000)  # ~4.8 km away
    assert score(request, far_offer) is not None
    assert score(request, post("o2", kind=Kind.OFFER, at=(48.90, 2.3522), radius_m=1_000)) is None


def test_best_matches_are_ordered_and_cut():
    request = post("r", text="voiture week-end Lyon")
    offers = [post(f"o{i}", kind=Kind.OFFER, at=(48.8566 + i * 0.005, 2.3522)) for i in range(8)]
    best = best_matches(request, offers)
    assert [s.offer.post_id for s in best] == ["o0", "o1", "o2", "o3", "o4"]


def test_the_index_returns_the_other_kind_in_reach_and_forgets_removed_posts():
    index = CandidateIndex()
    near = post("near", kind=Kind.OFFER, at=(48.86, 2.36))
    far = post("far", kind=Kind.OFFER, at=(43.2965, 5.3698))  # Marseille
    wide = post("wide", kind=Kind.OFFER, at=(43.2965, 5.3698), radius_m=900_000)
    same_kind = post("same", kind=Kind.REQUEST, at=(48.86, 2.36))
    other_category = post("cat", kind=Kind.OFFER, category=Category.HOUSING, at=(48.86, 2.36))
    for p in (near, far, wide, same_kind, other_category):
        index.add(p)
    found = {p.post_id for p in index.candidates(post("r"))}
    assert found == {"near", "wide"}
    index.remove("near")
    assert {p.post_id for p in index.candidates(post("r"))} == {"wide"}
    assert len(index) == 4 and "near" not in index


def test_the_index_finds_a_candidate_just_across_a_cell_border():
    index = CandidateIndex()
    # About 15 km north: a different 20 km cell, within the offer's 18 km radius.
    index.add(post("o", kind=Kind.OFFER, at=(48.99, 2.3522), radius_m=18_000))
    assert [p.post_id for p in index.candidates(post("r", radius_m=1_000))] == ["o"]


def test_rings_widen_on_schedule_then_stop_at_the_widest():
    plan = rings.RingPlan(radii_m=(200, 1_000, 5_000), waits_s=(60, 120))
    state = rings.start("a1", "p1", plan, NOW, NOW + timedelta(hours=6))
    assert rings.due_escalation(state, plan, NOW + timedelta(seconds=59)) is None
    state = rings.due_escalation(state, plan, NOW + timedelta(seconds=60))
    assert state.ring == 1 and plan.radii_m[state.ring] == 1_000
    state = rings.due_escalation(state, plan, NOW + timedelta(seconds=180))
    assert state.ring == 2 and state.next_escalation_at is None
    assert rings.due_escalation(state, plan, NOW + timedelta(days=1)) is None
    assert rings.is_expired(state, NOW + timedelta(hours=6))


def test_a_ring_plan_must_widen_and_have_a_wait_between_rings():
    with pytest.raises(ValueError):
        rings.RingPlan(radii_m=(1_000, 200), waits_s=(60,))
    with pytest.raises(ValueError):
        rings.RingPlan(radii_m=(200, 1_000), waits_s=())
