"""Organisations: an account applies as one, a moderator verifies or refuses it; a
verified one gets the partner role (its event streams) and a badge. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared.contract.errors import Conflict


class OrganisationKind(StrEnum):
    ASSOCIATION = "association"
    PUBLIC_SERVICE = "public_service"
    EMPLOYER = "employer"


class OrganisationStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REFUSED = "refused"


@dataclass
class Organisation:
    account_id: str
    name: str
    kind: OrganisationKind
    registration_number: str
    website: str
    contact: str
    status: OrganisationStatus = OrganisationStatus.PENDING
    applied_at: datetime | None = None
    decided_at: datetime | None = None

    def reapply(self, changes: Organisation, now: datetime) -> None:
        """A refused application may be made again (corrected); a pending or verified
        one is not made twice."""
        if self.status is not OrganisationStatus.REFUSED:
            raise Conflict(f"the application is {self.status.value}", field="name",
                           code="already_applied")  # fmt: skip
        for name in ("name", "kind", "registration_number", "website", "contact"):
            setattr(self, name, getattr(changes, name))
        self.status, self.applied_at, self.decided_at = OrganisationStatus.PENDING, now, None

    def decide(self, verified: bool, now: datetime) -> None:
        if self.status is not OrganisationStatus.PENDING:
            raise Conflict(f"the application is {self.status.value}", field="account_id",
                           code="unchanged")  # fmt: skip
        self.status = OrganisationStatus.VERIFIED if verified else OrganisationStatus.REFUSED
        self.decided_at = now
