"""Kafka helpers: an idempotent producer, a consumer loop with a dead-letter topic, admin."""

from shared.runtime.kafka.admin import ensure_topics, wait_for_kafka
from shared.runtime.kafka.consumer import ConsumerLoop, RetryableError, build_consumer
from shared.runtime.kafka.producer import EventPublisher, build_producer

__all__ = [
    "ConsumerLoop",
    "EventPublisher",
    "RetryableError",
    "build_consumer",
    "build_producer",
    "ensure_topics",
    "wait_for_kafka",
]
