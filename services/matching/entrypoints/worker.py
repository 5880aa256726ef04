"""Run one matching worker: ``python -m services.matching.entrypoints.worker``."""

from __future__ import annotations

import asyncio

import faust

from services.matching.entrypoints.app import alert_ticks, app, by_category, settings
from shared.kafka.admin import ensure_topics


def main() -> None:
    # Faust creates its table changelogs, but not these internal topics, and the broker
    # does not create topics on first use (auto-create is off): create it first.
    asyncio.run(
        ensure_topics(
            settings.kafka_bootstrap,
            [
                (by_category.get_topic_name(), settings.matching_partitions),
                (alert_ticks.get_topic_name(), alert_ticks.partitions),
            ],
        )
    )
    faust.Worker(app, loglevel="INFO").execute_from_commandline()


if __name__ == "__main__":
    main()
