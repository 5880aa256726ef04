"""The fixed-window limiter against a real Redis: counts, expiry, and a lost script."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from services.posts.adapters.ratelimit import RedisLimiter
from services.posts.ports import Limit
from shared.contract.errors import RateLimited


@pytest.fixture
async def redis(endpoints):
    client = aioredis.Redis.from_url(endpoints.redis_url)
    yield client
    await client.aclose()


async def test_hits_over_the_limit_are_refused_and_the_window_expires(redis, unique):
    limiter = RedisLimiter(redis, prefix=unique)
    # An hour's window: the hits of one test never straddle two windows.
    limit = Limit("posts", max_hits=2, window_s=3600)
    await limiter.hit(limit, "m1")
    await limiter.hit(limit, "m1")
    with pytest.raises(RateLimited) as refused:
        await limiter.hit(limit, "m1")
    assert 1 <= refused.value.retry_after_s <= 3601
    await limiter.hit(limit, "m2")  # counted per member

    keys = [key async for key in redis.scan_iter(f"{unique}:rl:posts:m1:*")]
    assert len(keys) == 1
    # The window's key goes away on its own: a second past the window.
    assert 3599 <= await redis.ttl(keys[0]) <= 3601
    assert int(await redis.get(keys[0])) == 3


async def test_the_limiter_still_counts_after_redis_forgot_its_script(redis, unique):
    limiter = RedisLimiter(redis, prefix=unique)
    limit = Limit("replies", max_hits=1, window_s=3600)
    await limiter.hit(limit, "m1")
    await redis.script_flush()  # as after a restart of Redis
    with pytest.raises(RateLimited):
        await limiter.hit(limit, "m1")
