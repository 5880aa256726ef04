"""Moderators' decisions through fakes of the posts ports: only moderators decide, each
decision is in the audit log with its reason, a suspension ends the sessions and revokes
the tokens, and nobody acts on their own standing."""

from __future__ import annotations

import pytest

from services.posts.domain.moderation import Action
from services.posts.domain.organisations import (
    Organisation,
    OrganisationKind,
    OrganisationStatus,
)
from services.posts.handlers import Handlers, ModerationHandlers
from shared.contract import events as E
from shared.contract.errors import Conflict, Forbidden, Invalid
from shared.contract.identity import Role
from tests.factories import NOW
from tests.fakes.posts import FakeClock, FakeRevocations
from tests.unit.posts.test_handlers import draft, make_handlers, member


@pytest.fixture
def posts() -> Handlers:
    return make_handlers()


@pytest.fixture
def moderation(posts: Handlers) -> ModerationHandlers:
    return ModerationHandlers(store=posts.store, revocations=FakeRevocations(),
                              clock=FakeClock(NOW))  # fmt: skip


async def test_a_suspension_revokes_tokens_ends_sessions_and_is_logged(posts, moderation):
    nadia = await member(posts, "nadia", Role.MODERATOR)
    sam = await member(posts, "sam")
    await posts.log_in("sam@example.org", "a long password", "10.0.0.1")
    with pytest.raises(Forbidden):
        await moderation.suspend(sam, nadia.member_id, "revenge")
    await moderation.suspend(nadia, sam.member_id, "asks for money")
    assert moderation.revocations.revoked == {sam.member_id}
    assert all(t.revoked_at for t in posts.store.memory.refresh_tokens.values())
    with pytest.raises(Forbidden) as login:
        await posts.log_in("sam@example.org", "a long password", "10.0.0.1")
    assert login.value.code == "suspended"
    with pytest.raises(Conflict):
        await moderation.suspend(nadia, sam.member_id, "again")
    await moderation.reinstate(nadia, sam.member_id, "appeal upheld")
    assert moderation.revocations.revoked == set()
    await posts.log_in("sam@example.org", "a long password", "10.0.0.1")
    log = await moderation.log(nadia, sam.member_id)
    assert [(d["action"], d["reason"]) for d in log] == [
        ("reinstate", "appeal upheld"),
        ("suspend", "asks for money"),
    ]
    events = [
        type(e) for e in posts.store.events if isinstance(e, E.MemberSuspended | E.MemberReinstated)
    ]
    assert events == [E.MemberSuspended, E.MemberReinstated]


async def test_a_withdrawn_moderator_decides_nothing_more_with_the_token_they_hold(
    posts, moderation
):
    nadia = await member(posts, "nadia", Role.MODERATOR)
    omar = await member(posts, "omar", Role.MODERATOR)
    await moderation.grant_role(omar, nadia.member_id, Role.MEMBER, "left the team")
    # Her token still says moderator; the database does not.
    with pytest.raises(Forbidden):
        await moderation.grant_role(nadia, nadia.member_id, Role.MODERATOR, "back")
    with pytest.raises(Forbidden):
        await moderation.suspend(nadia, omar.member_id, "revenge")


async def test_roles_are_granted_with_a_reason_and_never_to_oneself(posts, moderation):
    nadia = await member(posts, "nadia", Role.MODERATOR)
    sam = await member(posts, "sam")
    await moderation.grant_role(nadia, sam.member_id, Role.PARTNER, "the food bank")
    assert posts.store.memory.accounts[sam.member_id].role is Role.PARTNER
    with pytest.raises(Conflict):
        await moderation.grant_role(nadia, sam.member_id, Role.PARTNER, "twice")
    with pytest.raises(Invalid):
        await moderation.grant_role(nadia, nadia.member_id, Role.MEMBER, "tired")
    with pytest.raises(Invalid):
        await moderation.suspend(nadia, nadia.member_id, "myself")


async def test_an_organisation_is_verified_once_and_becomes_a_partner(posts, moderation):
    nadia = await member(posts, "nadia", Role.MODERATOR)
    bank = await member(posts, "bank")
    application = Organisation("", "Banque alimentaire", OrganisationKind.ASSOCIATION,
                               "W751234567", "https://banque.example", "accueil")  # fmt: skip
    view = await moderation.apply(bank, application)
    assert view["status"] is OrganisationStatus.PENDING
    with pytest.raises(Conflict):  # pending: not twice
        await moderation.apply(bank, application)
    with pytest.raises(Invalid):  # not about one's own
        await moderation.decide_organisation(bank, bank.member_id, True, "myself")
    with pytest.raises(Forbidden):  # a member is no moderator
        await moderation.decide_organisation(bank, nadia.member_id, True, "not mine")
    await moderation.decide_organisation(nadia, bank.member_id, True, "RNA checked")
    assert posts.store.memory.accounts[bank.member_id].role is Role.PARTNER
    assert (await moderation.my_organisation(bank))["status"] is OrganisationStatus.VERIFIED
    with pytest.raises(Conflict):
        await moderation.decide_organisation(nadia, bank.member_id, False, "changed my mind")


async def test_only_a_moderator_removes_and_never_their_own_post(posts, moderation):
    lea = await member(posts, "lea")
    moussa = await member(posts, "moussa", Role.MODERATOR)
    post_id = (await posts.create_post(lea, draft()))["id"]
    with pytest.raises(Forbidden):
        await moderation.decide_post(lea, post_id, Action.REMOVE, "spam")
    await moderation.decide_post(moussa, post_id, Action.REMOVE, "spam")
    assert isinstance(posts.store.events[-1], E.PostRemoved)
    own = (await posts.create_post(moussa, draft(title="Mine")))["id"]
    with pytest.raises(Invalid):
        await moderation.decide_post(moussa, own, Action.REMOVE, "mine")


async def test_dismissed_reports_are_spent(posts, moderation):
    lea, sam = await member(posts, "lea"), await member(posts, "sam")
    moussa = await member(posts, "moussa", Role.MODERATOR)
    post_id = (await posts.create_post(lea, draft()))["id"]
    await posts.report_post(sam, post_id, "spam", "10.0.0.1")
    await moderation.decide_post(moussa, post_id, Action.DISMISS, "nothing wrong")
    assert posts.store.memory.posts[post_id].report_weight == 0
