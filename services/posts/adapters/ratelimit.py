"""Fixed-window rate limits in Redis, shared by every copy of the service."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis.asyncio as aioredis

from shared.web import ApiError


class RateLimited(ApiError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


@dataclass(frozen=True)
class Limit:
    name: str
    max_hits: int
    window_s: int


class RateLimiter:
    def __init__(self, redis: aioredis.Redis, prefix: str = "entraide") -> None:
        self._redis = redis
        self._prefix = prefix

    async def hit(self, limit: Limit, who: str) -> None:
        """Count one hit; raise RateLimited (with the seconds to wait) over the limit."""
        now = time.time()
        window = int(now // limit.window_s)
        key = f"{self._prefix}:rl:{limit.name}:{who}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, limit.window_s + 1)
            hits, _ = await pipe.execute()
        if hits > limit.max_hits:
            retry_after_s = max(1, int((window + 1) * limit.window_s - now) + 1)
            raise RateLimited(
                f"too many {limit.name}: at most {limit.max_hits} per {limit.window_s}s",
                retry_after_s,
            )
