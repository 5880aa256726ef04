import pytest

from shared.contract import geo
from shared.contract.values import FuzzedLocation, Point
from shared.runtime import tracing


def test_haversine_paris_to_lyon_is_about_392_km():
    assert geo.haversine_m(48.8566, 2.3522, 45.7640, 4.8357) == pytest.approx(392_000, rel=0.01)


@pytest.mark.parametrize("lat,lon", [(48.8566, 2.3522), (-33.86, 151.21), (64.14, -21.94), (0, 0)])
def test_the_fuzzed_location_is_the_cell_centre_within_a_cell_of_the_point(lat, lon):
    fuzzed = FuzzedLocation.of(Point(lat=lat, lon=lon))
    # The centre is at most half a cell's diagonal away (~707 m for 1 km cells).
    assert geo.haversine_m(lat, lon, fuzzed.lat, fuzzed.lon) <= 0.75 * geo.CELL_SIZE_M
    assert fuzzed.cell == geo.cell_id(lat, lon)


def test_nearby_points_in_one_cell_publish_the_same_location():
    row, col = geo.cell_of(48.8566, 2.3522)
    centre = geo.cell_centre(row, col)
    a = FuzzedLocation.of(Point(lat=centre[0] + 0.001, lon=centre[1] + 0.001))
    b = FuzzedLocation.of(Point(lat=centre[0] - 0.001, lon=centre[1] - 0.001))
    assert a == b


def test_a_child_traceparent_keeps_the_trace_and_changes_the_span():
    parent = tracing.new_traceparent()
    child = tracing.child_traceparent(parent)
    assert tracing.trace_id(child) == tracing.trace_id(parent)
    assert child != parent


@pytest.mark.parametrize("bad", [None, "", "garbage", "00-" + "0" * 32 + "-" + "1" * 16 + "-01"])
def test_a_missing_or_invalid_parent_starts_a_new_trace(bad):
    assert tracing.trace_id(tracing.child_traceparent(bad)) is not None


def test_traceparent_is_read_from_kafka_headers_and_invalid_ones_are_ignored():
    good = tracing.new_traceparent()
    assert tracing.traceparent_from_headers([("x", b"1"), ("traceparent", good.encode())]) == good
    assert tracing.traceparent_from_headers([("traceparent", b"nope")]) is None
    assert tracing.traceparent_from_headers(None) is None


def test_a_log_line_carries_the_current_trace_unless_it_names_another(capsys):
    import json
    import logging

    from shared.runtime.logs import configure_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("test")
    log = logging.getLogger("tests.tracing")
    current, other = tracing.new_traceparent(), tracing.new_traceparent()
    token = tracing.current_traceparent.set(current)
    try:
        log.info("about the current event")
        log.info("about another event", extra={"trace_id": tracing.trace_id(other)})
    finally:
        tracing.current_traceparent.reset(token)
        root.handlers[:], level = saved
        root.setLevel(level)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["trace_id"] for line in lines] == [
        tracing.trace_id(current),
        tracing.trace_id(other),
    ]
    assert lines[0]["service"] == "test"
