"""The KRaft cluster id handed to Kafka's storage tool."""

import base64

from ops.infra.kafka import UUID_BYTES, cluster_id_from, new_cluster_id


def test_an_id_that_would_start_with_a_dash_is_refused():
    # 0xF8 makes the first base64url character "-", which argparse reads as an option.
    assert cluster_id_from(bytes([0xF8]) + bytes(UUID_BYTES - 1)) is None


def test_an_ordinary_id_is_kafkas_unpadded_base64url_form():
    raw = bytes(range(UUID_BYTES))
    assert cluster_id_from(raw) == base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert len(cluster_id_from(raw)) == 22


def test_fresh_ids_never_start_with_a_dash():
    ids = {new_cluster_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert not any(cluster_id.startswith("-") for cluster_id in ids)
