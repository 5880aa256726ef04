"""Where members are, who consented to urgent alerts, and their interests: Redis.

One geo set per category holds the members to alert for that category: those who
consented, whose interests include it (or who named none), at their last known point
(the device's, else the profile's home). "Who is within 200 m of this point for a
lost person" is then one GEOSEARCH, never a scan.

Profile changes (members.v1) and device locations (member-locations.v1) arrive on
different topics, so two consumers may update one member at once. Each update runs
as one Lua script (write the field, recompute the member's sets), which Redis runs
atomically, so a late reader can never undo a newer write.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from services.notifications.domain.notices import NearbyMember
from shared.contract.events import MemberLocated, MemberProfileChanged
from shared.contract.values import Category, Point

CATEGORIES = tuple(c.value for c in Category)
# A member stored before profiles carried their radius: the profile's default.
DEFAULT_RADIUS_M = MemberProfileChanged.model_fields["alert_radius_m"].default


def _text(member: bytes | str) -> str:
    return member.decode() if isinstance(member, bytes) else member


# KEYS[1]: the member's hash; KEYS[2..]: one geo set per category (CATEGORIES order).
# ARGV[1]: member id; ARGV[2..]: field, value pairs to write first.
_UPDATE = """
local fields = {}
for i = 2, #ARGV do fields[#fields + 1] = ARGV[i] end
if #fields > 0 then redis.call('HSET', KEYS[1], unpack(fields)) end
local m = redis.call('HMGET', KEYS[1], 'consent', 'interests', 'lat', 'lon',
                     'home_lat', 'home_lon')
local lat, lon = m[3], m[4]
if not lat then lat, lon = m[5], m[6] end
local wanted = {}
local all = (not m[2]) or m[2] == ''
if not all then
  for c in string.gmatch(m[2], '[^,]+') do wanted[c] = true end
end
for i = 2, #KEYS do
  local category = string.match(KEYS[i], '[^:]+$')
  if m[1] == '1' and lat and lat ~= '' and (all or wanted[category]) then
    redis.call('GEOADD', KEYS[i], lon, lat, ARGV[1])
  else
    redis.call('ZREM', KEYS[i], ARGV[1])
  end
end
return 1
"""


class RedisDirectory:
    def __init__(self, redis: aioredis.Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self._update = redis.register_script(_UPDATE)

    def _geo_key(self, category: str) -> str:
        return f"{self.prefix}:alertable:{category}"

    def _member_key(self, member_id: str) -> str:
        return f"{self.prefix}:member:{member_id}"

    @property
    def _radii_key(self) -> str:
        return f"{self.prefix}:alert-radius"

    async def _apply(self, member_id: str, fields: dict[str, str]) -> None:
        keys = [self._member_key(member_id), *map(self._geo_key, CATEGORIES)]
        args = [member_id]
        for name, value in fields.items():
            args += [name, value]
        await self._update(keys=keys, args=args)

    async def apply_profile(self, profile: MemberProfileChanged) -> None:
        home = profile.home
        await self._apply(
            profile.member_id,
            {
                "consent": "1" if profile.urgent_alerts_consent else "0",
                "interests": ",".join(c.value for c in profile.interests),
                "home_lat": repr(home.lat) if home else "",
                "home_lon": repr(home.lon) if home else "",
            },
        )
        # Every member's own radius in one hash: an alert reads those it found at once.
        await self.redis.hset(self._radii_key, profile.member_id, str(profile.alert_radius_m))

    async def apply_location(self, located: MemberLocated) -> None:
        point = located.point
        await self._apply(located.member_id, {"lat": repr(point.lat), "lon": repr(point.lon)})

    async def near(self, category: Category, point: Point, radius_m: int) -> list[NearbyMember]:
        """The members to alert for ``category`` within ``radius_m`` of ``point`` and within
        their own alert radius of it, nearest first, with where they are (for the coarse
        distance they are told)."""
        found = await self.redis.geosearch(
            self._geo_key(category.value),
            longitude=point.lon,
            latitude=point.lat,
            radius=radius_m,
            unit="m",
            withdist=True,
            withcoord=True,
            sort="ASC",
        )
        if not found:
            return []
        # Each member's own radius, in one command (a member's choice: "only within 500 m
        # of me", whatever the ring).
        radii = await self.redis.hmget(self._radii_key, [member for member, _, _ in found])
        return [
            NearbyMember(_text(member), lat, lon)
            for (member, distance, (lon, lat)), own in zip(found, radii, strict=True)
            if distance <= float(own or DEFAULT_RADIUS_M)
        ]
