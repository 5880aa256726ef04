"""The fixes to faust (ADR 0011): installed only on the version they fix, and their logic."""

import faust
import pytest
from faust.tables.manager import TableManager
from faust.tables.recovery import Recovery
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
from faust.transport.drivers.aiokafka import Consumer as AIOKafkaFaustConsumer

from services.matching.adapters import faust_recovery


def test_the_patch_replaces_faust_s_method_on_the_pinned_version():
    faust_recovery.install()
    assert Recovery.on_recovery_completed is faust_recovery._on_recovery_completed
    assert AIOKafkaFaustConsumer._getmany is faust_recovery._getmany
    assert AIOKafkaConsumerThread.seek_to_committed is faust_recovery._seek_to_committed
    assert TableManager.on_start is faust_recovery._start_tables_at_once


def test_the_patch_refuses_another_faust_version(monkeypatch):
    monkeypatch.setattr(faust, "__version__", "0.16.0")
    with pytest.raises(RuntimeError, match=r"faust_recovery\.py is still needed"):
        faust_recovery.install()


class FakeFaustConsumer:
    def __init__(self, flow_active: bool, buffered: set) -> None:
        self.flow_active = flow_active
        self._buffered_partitions = buffered


def test_records_fetched_while_the_flow_is_stopped_are_all_undeliverable():
    consumer = FakeFaustConsumer(flow_active=False, buffered=set())
    assert faust_recovery.undeliverable(consumer, {"a"}, {"a": [1], "b": [2]}) == ["a", "b"]


def test_records_of_partitions_neither_active_nor_buffered_are_undeliverable():
    consumer = FakeFaustConsumer(flow_active=True, buffered={"c"})
    records = {"a": [1], "b": [2], "c": [3]}
    assert faust_recovery.undeliverable(consumer, {"a"}, records) == ["b"]
    # The set a rebalance emptied while aiokafka waited: it returned every partition.
    assert faust_recovery.undeliverable(consumer, set(), records) == ["a", "b"]
    assert faust_recovery.undeliverable(consumer, None, records) == []


class FakeKafka:
    def __init__(self, committed: dict) -> None:
        self.committed = committed
        self.seeks: dict = {}
        self.to_beginning: list = []

    async def seek_to_committed(self):
        for tp, offset in self.committed.items():
            if offset and offset > 0:  # what aiokafka does
                self.seeks[tp] = offset
        return self.committed

    def seek(self, tp, offset):
        self.seeks[tp] = offset

    async def seek_to_beginning(self, *tps):
        self.to_beginning += tps


async def test_never_committed_partitions_are_rewound_to_their_beginning():
    kafka = FakeKafka({"never": None, "zero": 0, "five": 5})
    assert await faust_recovery._seek_or_rewind(kafka) == kafka.committed
    assert kafka.seeks == {"zero": 0, "five": 5}
    assert kafka.to_beginning == ["never"]
