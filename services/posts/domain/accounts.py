"""Members, partners and moderators, and the profile that drives alerts and matching."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shared.auth import Role
from shared.events.values import Category, Point


@dataclass
class Profile:
    display_name: str
    languages: list[str] = field(default_factory=list)
    interests: list[Category] = field(default_factory=list)
    home: Point | None = None
    alert_radius_m: int = 1_000
    # Urgent alerts reveal an exact point and wake people up: never without a yes.
    urgent_alerts_consent: bool = False


@dataclass
class Account:
    id: str
    email: str
    password_hash: str
    role: Role
    profile: Profile
    created_at: datetime
