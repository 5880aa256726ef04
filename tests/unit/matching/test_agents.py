"""The faust agents with faust's own test_context: thin wiring around the handlers."""

import json
from unittest.mock import AsyncMock, patch

import pytest

from services.matching.bootstrap import Matching, build
from services.matching.entrypoints.agents import Agents, register
from services.matching.settings import MatchingSettings
from shared.contract.catalogue import POSTS
from shared.contract.envelope import encode_event
from shared.contract.values import Kind
from tests.unit.matching.test_handlers import created


def reading(agent, topic: str) -> None:
    """test_context names every record of a multi-topic agent "<internal>": say which."""
    to_message = agent.to_message

    def named(*args, **kwargs):
        message = to_message(*args, **kwargs)
        message.topic = topic
        return message

    agent.to_message = named


@pytest.fixture(scope="module")
def wired(tmp_path_factory) -> tuple[Matching, Agents]:
    """A matching app built and its agents attached, as the worker does; nothing runs."""
    settings = MatchingSettings(
        topic_namespace=".unit", web_enabled=False, data_dir=tmp_path_factory.mktemp("data")
    )
    matching = build(settings)
    return matching, register(matching)


async def test_the_router_re_keys_open_posts_by_category_and_dead_letters_poison(wired):
    m, agents = wired
    with (
        patch.object(m, "publish", new_callable=AsyncMock) as forward,
        patch.object(m.dead_letters, "send", new_callable=AsyncMock) as dead,
    ):
        async with agents.handle_post_events.test_context() as agent:
            reading(agent, m.names(POSTS))
            await agent.put(key=b"r1", value=encode_event(created("r1", Kind.REQUEST)))
            await agent.put(key=b"bad", value=b"not an event")
    forward.assert_awaited_once()
    topic, key, value = forward.await_args.args
    assert topic is m.by_category and key == b"vehicles"
    message = json.loads(value)
    assert message["op"] == "open" and message["post"]["post_id"] == "r1"
    dead.assert_awaited_once()
    assert dead.await_args.kwargs["value"] == b"not an event"
    headers = dict(dead.await_args.kwargs["headers"])
    assert headers["dlq.stage"] == b"decode"


async def test_the_matcher_sends_match_found_with_a_fixed_event_id_and_the_trace(wired):
    m, agents = wired
    from datetime import UTC, datetime

    from services.matching.domain.posts import OpenPost
    from shared.contract.envelope import decode_event

    now = datetime.now(UTC)
    request = OpenPost.of(created("r7", Kind.REQUEST, now=now).post).to_dict()
    offer = OpenPost.of(created("o7", Kind.OFFER, now=now).post).to_dict()
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    m.index_holder.invalidate()
    with patch.object(m, "publish", new_callable=AsyncMock) as send:
        async with agents.match_posts.test_context() as agent:
            await agent.put(key=b"vehicles", value={"op": "open", "post": request})
            await agent.put(
                key=b"vehicles", value={"op": "open", "post": offer, "traceparent": traceparent}
            )
    send.assert_awaited_once()
    topic, key, value, headers = send.await_args.args
    envelope, match = decode_event(value)
    assert topic is m.matches and key == b"r7"
    assert (match.request_id, match.offer_id) == ("r7", "o7")
    assert envelope.traceparent.split("-")[1] == traceparent.split("-")[1]
    assert dict(headers)["traceparent"].decode() == envelope.traceparent


async def test_the_post_events_agent_dead_letters_poison_from_its_alert_inputs_too(wired):
    m, agents = wired
    with patch.object(m.dead_letters, "send", new_callable=AsyncMock) as dead:
        async with agents.handle_post_events.test_context() as agent:
            await agent.put(key=b"u1", value=b"not an event")
    dead.assert_awaited_once()
    assert dead.await_args.kwargs["value"] == b"not an event"
