"""Members, partners and moderators, and the profile that drives alerts and matching."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shared.contract.events import MemberProfileChanged
from shared.contract.identity import Role
from shared.contract.values import Category, Point


@dataclass
class Profile:
    display_name: str
    languages: list[str] = field(default_factory=list)
    interests: list[Category] = field(default_factory=list)
    home: Point | None = None
    alert_radius_m: int = 1_000
    # Urgent alerts reveal an exact point and wake people up: never without a yes.
    urgent_alerts_consent: bool = False
    # Shown on the member's public profile, as plain text.
    bio: str = ""


@dataclass
class Account:
    id: str
    email: str
    password_hash: str
    role: Role
    profile: Profile
    created_at: datetime
    # When the member opened the link mailed to her address (None: not yet).
    email_verified_at: datetime | None = None
    # Set by a moderator: no session, no token, no socket while it is.
    suspended_at: datetime | None = None

    def profile_changed(self, at: datetime) -> MemberProfileChanged:
        """What the notifications service needs to decide whom an urgent alert reaches."""
        p = self.profile
        return MemberProfileChanged(
            member_id=self.id,
            languages=tuple(p.languages),
            interests=tuple(p.interests),
            home=p.home,
            alert_radius_m=p.alert_radius_m,
            urgent_alerts_consent=p.urgent_alerts_consent,
            changed_at=at,
        )
