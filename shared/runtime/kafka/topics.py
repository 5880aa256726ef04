"""Create the catalogue's topics in a deployment's namespace (idempotent):

    python -m shared.runtime.kafka.topics

What `entraide infra up` does for the local broker, and what a deployment runs once
before its services (the `topics` container of docker-compose.yml), from the services'
own image: it needs nothing of the operator's tools.
"""

from __future__ import annotations

import asyncio

from shared.contract.catalogue import TOPICS
from shared.runtime.kafka.admin import ensure_topics, wait_for_kafka
from shared.runtime.settings import Settings
from shared.runtime.topics import TopicNames

KAFKA_WAIT_S = 120


async def create_catalogue_topics(settings: Settings) -> int:
    """Every topic of the catalogue, named in the deployment's namespace; how many."""
    names = TopicNames(settings.topic_namespace)
    await wait_for_kafka(settings.kafka_bootstrap, timeout_s=KAFKA_WAIT_S)
    durability = {"min.insync.replicas": str(settings.kafka_min_insync)}
    await ensure_topics(
        settings.kafka_bootstrap,
        [(names(topic), topic.partitions, {**topic.config, **durability}) for topic in TOPICS],
        replication_factor=settings.kafka_replication_factor,
    )
    return len(TOPICS)


def main() -> None:
    settings = Settings()
    count = asyncio.run(create_catalogue_topics(settings))
    print(f"{count} topics present on {settings.kafka_bootstrap}")


if __name__ == "__main__":
    main()
