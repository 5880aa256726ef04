"""What the notifications consumer retries (a dependency down) and what it dead-letters
(the event itself is at fault)."""

from __future__ import annotations

import asyncpg
import pytest
from aiokafka.errors import KafkaTimeoutError, NotLeaderForPartitionError, RecordTooLargeError
from redis.exceptions import ConnectionError as RedisConnectionError

from services.notifications.entrypoints.background import RetryingHandler, dependency_failed
from shared.runtime.kafka.consumer import RetryableError


@pytest.mark.parametrize(
    "error",
    [asyncpg.exceptions.InterfaceError("connection is closed"),
     asyncpg.exceptions.InternalClientError("another operation is in progress"),
     asyncpg.exceptions.ConnectionDoesNotExistError("gone"), RedisConnectionError("refused"),
     KafkaTimeoutError(), NotLeaderForPartitionError(), ConnectionRefusedError()],
    ids=type,
)  # fmt: skip
def test_a_dependency_down_is_retried(error):
    assert dependency_failed(error)


@pytest.mark.parametrize(
    "error", [ValueError("bad"), KeyError("x"), RecordTooLargeError()], ids=type
)
def test_a_fault_of_the_event_is_not(error):
    assert not dependency_failed(error)


class Failing:
    def __init__(self, error: Exception) -> None:
        self.error = error

    async def handle(self, decoded) -> None:
        raise self.error


async def test_the_handler_turns_an_outage_into_a_retry_and_lets_a_bug_through():
    with pytest.raises(RetryableError):
        await RetryingHandler(Failing(asyncpg.exceptions.InterfaceError("closed")))(None)
    with pytest.raises(ValueError):
        await RetryingHandler(Failing(ValueError("bad event")))(None)
