"""Members whose tokens stop working at once (suspended), in a Redis set every HTTP
service checks on each authenticated request (one SISMEMBER, ~0.1 ms): a suspension
does not wait for the 15-minute access token to expire. The gateway learns it from
member-status.v1 instead (it has no Redis), and closes the member's sockets."""

from __future__ import annotations

import redis.asyncio as aioredis


class RedisRevocations:
    def __init__(self, redis: aioredis.Redis, key: str) -> None:
        """``key``: the one set every service reads (settings.suspended_key), not under a
        service's own prefix: the posts service writes it, the others read it."""
        self.redis = redis
        self.key = key

    async def revoke(self, member_id: str) -> None:
        await self.redis.sadd(self.key, member_id)

    async def restore(self, member_id: str) -> None:
        await self.redis.srem(self.key, member_id)

    async def revoked(self, member_id: str) -> bool:
        return bool(await self.redis.sismember(self.key, member_id))
