import json

import jsonschema
import pytest
from pydantic import ValidationError

from ops.contract_docs import SCHEMAS_DIR, build_asyncapi, check_docs
from shared.contract.catalogue import EVENT_TYPES, MEMBERS, TOPICS, topic_for
from shared.contract.envelope import (
    UndecodableEventError,
    UnknownEventTypeError,
    decode_event,
    encode_event,
)
from shared.contract.events import PostCreated, PostResolved
from tests.factories import NOW, public_post, sample_events

SAMPLES = sample_events()


def test_the_samples_cover_every_event_type():
    assert {e.event_type for e in SAMPLES} == set(EVENT_TYPES)


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).__name__)
def test_every_event_round_trips_through_the_envelope(event):
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    raw = encode_event(event, traceparent=traceparent)
    envelope, decoded = decode_event(raw)
    assert decoded == event
    assert envelope.specversion == "1.0"
    assert envelope.type == event.event_type
    assert envelope.source == event.source
    assert envelope.subject == event.subject()
    assert envelope.traceparent == traceparent
    # Decoding what we encoded and encoding again gives the same bytes.
    assert (
        encode_event(decoded, event_id=envelope.id, time=envelope.time, traceparent=traceparent)
        == raw
    )


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).__name__)
def test_every_envelope_validates_against_its_committed_json_schema(event):
    schema = json.loads((SCHEMAS_DIR / f"{event.event_type}.json").read_text())
    document = json.loads(encode_event(event))
    jsonschema.Draft202012Validator(schema).validate(document)
    document["data"]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(document)


def test_unknown_fields_are_refused_at_construction():
    with pytest.raises(ValidationError, match="extra"):
        PostResolved(post_id="p1", outcome="helped", resolved_at=NOW, phone="+33 6 00 00 00 00")


def test_events_are_frozen():
    event = SAMPLES[2]
    with pytest.raises(ValidationError):
        event.post_id = "other"


def test_unknown_fields_in_data_are_refused_when_decoding():
    document = json.loads(encode_event(SAMPLES[2]))
    document["data"]["email"] = "amine@example.org"
    with pytest.raises(UndecodableEventError, match="email"):
        decode_event(json.dumps(document))


def test_unknown_event_type_is_refused():
    document = json.loads(encode_event(SAMPLES[2]))
    document["type"] = "org.entraide.post.teleported.v1"
    with pytest.raises(UnknownEventTypeError):
        decode_event(json.dumps(document))


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b'{"specversion": "0.3"}', b"\xff\xfe"])
def test_garbage_is_undecodable(raw):
    with pytest.raises(UndecodableEventError):
        decode_event(raw)


def test_an_envelope_whose_subject_disagrees_with_its_data_is_refused():
    document = json.loads(encode_event(SAMPLES[2]))
    document["subject"] = "another-post"
    with pytest.raises(UndecodableEventError, match="disagree"):
        decode_event(json.dumps(document))


def test_impossible_coordinates_are_refused():
    with pytest.raises(ValidationError, match="lat"):
        public_post(location={"cell": "1:1", "lat": 123.0, "lon": 2.0})


def test_the_generated_docs_are_the_committed_ones():
    assert check_docs() == [], "run `entraide schema` and commit docs/"


def test_every_event_is_on_exactly_one_topic_and_each_topic_is_keyed():
    for event_type, event_class in EVENT_TYPES.items():
        holders = [t for t in TOPICS if event_class in t.events]
        assert len(holders) == 1, event_type
        assert topic_for(event_class) is holders[0]
    assert all(t.key and t.partitions >= 1 for t in TOPICS)
    assert all(t.retention_ms > 0 or t.compacted for t in TOPICS)
    assert MEMBERS.config == {"cleanup.policy": "compact"}
    assert len({t.name for t in TOPICS}) == len(TOPICS)


def _refs(schema) -> set[str]:
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref":
                found.add(value.rsplit("/", 1)[-1])
            else:
                found |= _refs(value)
    elif isinstance(schema, list):
        for item in schema:
            found |= _refs(item)
    return found


def test_no_public_topic_carries_an_exact_point():
    """Privacy: exact points only on restricted topics (see ADR 0002)."""
    schemas = build_asyncapi()["components"]["schemas"]

    def reachable(name: str, seen: set[str]) -> set[str]:
        if name in seen:
            return seen
        seen.add(name)
        for ref in _refs(schemas[name]):
            reachable(ref, seen)
        return seen

    for topic in TOPICS:
        for event in topic.events:
            uses_point = "Point" in reachable(event.__name__, set())
            assert not uses_point or topic.restricted, f"{event.__name__} on {topic.name}"
    assert "Point" not in reachable(PostCreated.__name__, set())


def test_the_asyncapi_document_lists_every_topic_with_its_producers_and_consumers():
    document = build_asyncapi()
    assert document["asyncapi"].startswith("3.")
    addresses = {c["address"] for c in document["channels"].values()}
    assert addresses == {t.name for t in TOPICS}
    for topic in TOPICS:
        for service in topic.producers:
            assert any(k.startswith(f"{service}_sends_") for k in document["operations"])


def test_the_committed_openapi_documents_are_current():
    from ops.openapi_docs import stale_openapi

    assert stale_openapi() == [], "run `entraide schema`"


def test_every_notifications_route_documents_its_errors():
    from ops.openapi_docs import openapi_text

    paths = json.loads(openapi_text("notifications"))["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            if path.startswith("/v1/"):
                assert "401" in operation["responses"], (method, path)


def test_every_posts_route_documents_its_errors():
    from ops.openapi_docs import openapi_text

    paths = json.loads(openapi_text("posts"))["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if path == "/me" or path.startswith(("/posts", "/auth/")):
                assert codes & {"401", "403", "404", "409", "422", "429"}, (method, path)
