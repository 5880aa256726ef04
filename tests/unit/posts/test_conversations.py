"""Conversations through fakes of the posts ports: who may contact and write, blocking,
read receipts, the safety note, reports; each change's event in the same transaction."""

from __future__ import annotations

import pytest

from services.posts.domain.conversations import (
    arranges_meeting,
    decode_list_cursor,
    encode_list_cursor,
)
from services.posts.domain.feed import encode_cursor
from services.posts.handlers import ConversationHandlers, Handlers
from shared.contract import events as E
from shared.contract.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from shared.contract.identity import Claims
from tests.factories import NOW
from tests.fakes.posts import FakeClock, FakeConversationQueries, FakeLimiter
from tests.unit.posts.test_handlers import draft, make_handlers, member


@pytest.fixture
def posts_handlers() -> Handlers:
    return make_handlers()


@pytest.fixture
def conversations(posts_handlers: Handlers) -> ConversationHandlers:
    store = posts_handlers.store
    return ConversationHandlers(store=store, queries=FakeConversationQueries(store),
                                limiter=FakeLimiter(), clock=FakeClock(NOW),
                                messages_per_hour=3, reports_per_hour=5)  # fmt: skip


async def offer(posts_handlers: Handlers, author: Claims) -> str:
    return (await posts_handlers.create_post(author, draft()))["id"]


async def test_a_member_contacts_an_author_once_per_post_and_not_herself(
    posts_handlers, conversations
):
    tom, lea = await member(posts_handlers, "tom"), await member(posts_handlers, "lea")
    post_id = await offer(posts_handlers, tom)
    view, created = await conversations.contact(lea, post_id)
    again, created_again = await conversations.contact(lea, post_id)
    assert created and not created_again and again["id"] == view["id"]
    started = [e for e in posts_handlers.store.events if isinstance(e, E.ConversationStarted)]
    assert len(started) == 1
    assert started[0].members == (tom.member_id, lea.member_id)
    assert started[0].names == ("tom", "lea")
    with pytest.raises(Invalid) as own:
        await conversations.contact(tom, post_id)
    assert own.value.code == "own_post"
    with pytest.raises(NotFound):
        await conversations.contact(lea, "no-such-post")
    await posts_handlers.withdraw_post(tom, post_id)
    eve = await member(posts_handlers, "eve")
    with pytest.raises(NotFound):
        await conversations.contact(eve, post_id)


async def test_only_the_two_write_and_a_block_stops_both(posts_handlers, conversations):
    tom, lea = await member(posts_handlers, "tom"), await member(posts_handlers, "lea")
    eve = await member(posts_handlers, "eve")
    cid = (await conversations.contact(lea, await offer(posts_handlers, tom)))[0]["id"]
    await conversations.send(lea, cid, "Hello")
    with pytest.raises(NotFound):
        await conversations.send(eve, cid, "Hi both")
    with pytest.raises(NotFound):
        await conversations.messages(eve, cid, None, 10)
    await conversations.block(tom, lea.member_id)
    for sender in (tom, lea):
        with pytest.raises(Forbidden) as refused:
            await conversations.send(sender, cid, "Still there?")
        assert refused.value.code == "blocked"
    with pytest.raises(Forbidden):  # nor a new conversation, on any of his posts
        await conversations.contact(lea, await offer(posts_handlers, tom))
    with pytest.raises(Invalid):
        await conversations.block(tom, tom.member_id)
    with pytest.raises(NotFound):
        await conversations.block(tom, "nobody")
    await conversations.unblock(tom, lea.member_id)
    await conversations.send(lea, cid, "Sorry")
    sent = [e.body for e in posts_handlers.store.events if isinstance(e, E.MessageSent)]
    assert sent == ["Hello", "Sorry"]


async def test_messages_are_trimmed_limited_and_counted(posts_handlers, conversations):
    tom, lea = await member(posts_handlers, "tom"), await member(posts_handlers, "lea")
    cid = (await conversations.contact(lea, await offer(posts_handlers, tom)))[0]["id"]
    with pytest.raises(Invalid) as blank:
        await conversations.send(lea, cid, " \n ")
    assert blank.value.code == "empty_message"
    with pytest.raises(Invalid) as long:
        await conversations.send(lea, cid, "x" * 2001)
    assert long.value.code == "message_too_long"
    assert (await conversations.send(lea, cid, "  hi  "))["body"] == "hi"
    with pytest.raises(RateLimited):  # 3 tries an hour in this test, refused ones too
        await conversations.send(lea, cid, "again")


async def test_reading_sends_a_receipt_once_and_unread_counts_follow(posts_handlers, conversations):
    tom, lea = await member(posts_handlers, "tom"), await member(posts_handlers, "lea")
    cid = (await conversations.contact(lea, await offer(posts_handlers, tom)))[0]["id"]
    await conversations.read(tom, cid, None)  # nothing to read yet: nothing happens
    first = await conversations.send(lea, cid, "one")
    await conversations.send(lea, cid, "two")
    assert (await conversations.conversation(tom, cid))["unread"] == 2
    await conversations.read(tom, cid, first["id"])
    assert (await conversations.conversation(tom, cid))["unread"] == 1
    await conversations.read(tom, cid, None)
    await conversations.read(tom, cid, None)  # again: no second receipt
    receipts = [e for e in posts_handlers.store.events if isinstance(e, E.ConversationRead)]
    assert [r.member_id for r in receipts] == [tom.member_id] * 2
    assert (await conversations.conversation(lea, cid))["seen_up_to"] == receipts[
        -1
    ].up_to_message_id
    with pytest.raises(Invalid):
        await conversations.read(tom, cid, "0" * 26)


async def test_the_first_message_that_arranges_a_meeting_carries_the_note(
    posts_handlers, conversations
):
    tom, lea = await member(posts_handlers, "tom"), await member(posts_handlers, "lea")
    cid = (await conversations.contact(lea, await offer(posts_handlers, tom)))[0]["id"]
    for text in ("Is it still free?", "On se retrouve à la gare à 18h ?", "Rendez-vous demain"):
        await conversations.send(lea, cid, text)
    sent = [e.meeting for e in posts_handlers.store.events if isinstance(e, E.MessageSent)]
    assert sent == [False, True, False]


@pytest.mark.parametrize(
    ("text", "meeting"),
    [("Rendez-vous devant la mairie", True), ("rdv 14h30", True), ("Let's meet at 6 pm", True),
     ("Come by my place tomorrow", True), ("Je passe chez toi", True), ("Merci beaucoup !", False),
     ("Is the sofa still available?", False), ("Une voiture pour le week-end", False)],
)  # fmt: skip
def test_arranging_a_meeting_is_recognised_in_french_and_english(text, meeting):
    assert arranges_meeting(text) is meeting


async def test_a_report_names_the_other_member_once(posts_handlers, conversations):
    tom, lea = await member(posts_handlers, "tom"), await member(posts_handlers, "lea")
    cid = (await conversations.contact(lea, await offer(posts_handlers, tom)))[0]["id"]
    message = await conversations.send(tom, cid, "Pay me first")
    await conversations.report(lea, cid, message["id"], "scam")
    with pytest.raises(Conflict):
        await conversations.report(lea, cid, message["id"], "scam again")
    await conversations.report(lea, cid, None, "the whole conversation")
    mine = await conversations.send(lea, cid, "my own words")
    with pytest.raises(Invalid):  # her own message, reported as his: refused
        await conversations.report(lea, cid, mine["id"], "framed")
    reports = posts_handlers.store.memory.conversation_reports
    assert reports == {(cid, lea.member_id, message["id"]): "scam",
                       (cid, lea.member_id, None): "the whole conversation"}  # fmt: skip
    with pytest.raises(Invalid):
        await conversations.report(lea, cid, "0" * 26, "no such message")


def test_a_list_cursor_comes_back_exactly():
    at, cid = decode_list_cursor(encode_list_cursor(NOW, "01JABCDEFGHJKMNPQRSTVWXYZ0"))
    assert (at, cid) == (NOW, "01JABCDEFGHJKMNPQRSTVWXYZ0")
    too_far = encode_cursor("9" * 26) + "." + encode_cursor("01JABCDEFGHJKMNPQRSTVWXYZ0")
    for crafted in ("garbage", too_far):  # not a cursor; a time no calendar holds
        with pytest.raises(Invalid):
            decode_list_cursor(crafted)
