"""Run one matching worker: ``python -m services.matching.entrypoints.worker``."""

from __future__ import annotations

import asyncio

import faust

from services.matching.bootstrap import build
from services.matching.entrypoints.agents import register
from services.matching.settings import MatchingSettings
from shared.runtime.kafka.admin import ensure_topics


def main() -> None:
    settings = MatchingSettings()
    matching = build(settings)
    register(matching)
    # The broker does not create topics on first use (auto-create is off), and when
    # faust creates a table's changelog itself, an agent can check the partitions before
    # the new topic's metadata has spread and crash (PartitionsMismatch, seen in CI).
    # So every internal topic and changelog exists, with leaders, before faust starts.
    asyncio.run(
        ensure_topics(
            settings.kafka_bootstrap,
            matching.internal_topics(),
            replication_factor=settings.kafka_replication_factor,
        )
    )
    faust.Worker(matching.app, loglevel=settings.log_level).execute_from_commandline()


if __name__ == "__main__":
    main()
