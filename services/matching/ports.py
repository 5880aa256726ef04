"""What the matching handlers need from the world, as protocols. faust implements them
(its tables are mutable mappings, rebuilt from their changelogs; its producer sends);
plain dicts and a list do in the unit tier."""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import datetime
from typing import Any, Protocol

from services.matching.domain.alerts import Alerts

# post id -> {"category", "closed"}: the router's memory of each post's category.
Categories = MutableMapping[str, dict[str, Any]]
# post id -> the OpenPost as a dict: the open posts of this worker's categories.
OpenPosts = MutableMapping[str, dict[str, Any]]
__all__ = ["Alerts", "Categories", "Clock", "OpenPosts", "Publish"]


class Clock(Protocol):
    def __call__(self) -> datetime: ...


class Publish(Protocol):
    async def __call__(
        self, topic: Any, key: bytes, value: bytes, headers: list | None = None
    ) -> None:
        """Hand a record to the producer (flushed before every offset commit)."""
