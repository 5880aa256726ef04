"""Run one matching worker: ``python -m services.matching.entrypoints.worker``."""

from __future__ import annotations

import asyncio

import faust

from services.matching.entrypoints.app import alert_ticks, app, by_category, settings
from shared.runtime.kafka.admin import ensure_topics


def main() -> None:
    # The broker does not create topics on first use (auto-create is off), and when
    # faust creates a table's changelog itself, an agent can check the partitions before
    # the new topic's metadata has spread and crash (PartitionsMismatch, seen in CI).
    # So every internal topic and changelog exists, with leaders, before faust starts.
    changelogs = [
        (table.changelog_topic.get_topic_name(), table.partitions, {"cleanup.policy": "compact"})
        for table in app.tables.values()
    ]
    internal = [
        (by_category.get_topic_name(), settings.matching_partitions),
        (alert_ticks.get_topic_name(), alert_ticks.partitions),
    ]
    asyncio.run(ensure_topics(settings.kafka_bootstrap, internal + changelogs))
    faust.Worker(app, loglevel=settings.log_level).execute_from_commandline()


if __name__ == "__main__":
    main()
