"""Mail to a member: e-mail verification and password reset. Pure: the links' tokens,
how long each lives, and the messages in the member's language.

A link carries a 256-bit token; only its hash is stored (as for refresh tokens), and a
token works once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shared.contract.errors import Invalid


class Purpose(StrEnum):
    VERIFY = "verify"  # the address is the member's
    RESET = "reset"  # a new password, for a member who forgot hers


LIFETIME = {Purpose.VERIFY: timedelta(days=7), Purpose.RESET: timedelta(hours=1)}
PATHS = {Purpose.VERIFY: "/verify-email", Purpose.RESET: "/password-reset"}


@dataclass
class MailToken:
    token_hash: str
    account_id: str
    purpose: Purpose
    expires_at: datetime
    used_at: datetime | None = None

    @classmethod
    def issue(cls, token_hash: str, account_id: str, purpose: Purpose, now: datetime) -> MailToken:
        return cls(token_hash, account_id, purpose, now + LIFETIME[purpose])

    def use(self, purpose: Purpose, now: datetime) -> None:
        """Spend the token; a wrong, used or expired one is refused the same way (the
        member asks for a new link)."""
        if self.purpose is not purpose or self.used_at is not None or now >= self.expires_at:
            raise link_expired()
        self.used_at = now


def link_expired() -> Invalid:
    return Invalid("this link has expired or was already used: ask for a new one",
                   field="token", code="link_expired")  # fmt: skip


@dataclass(frozen=True)
class Message:
    subject: str
    text: str


_MESSAGES = {
    (Purpose.VERIFY, "fr"): Message(
        "Confirmez votre adresse e-mail",
        "Bonjour {name},\n\nPour confirmer que cette adresse est la vôtre, ouvrez ce lien "
        "(valable 7 jours) :\n\n{link}\n\nSi vous n'avez pas créé de compte Entraide, "
        "ignorez ce message.\n\nEntraide",
    ),
    (Purpose.VERIFY, "en"): Message(
        "Confirm your e-mail address",
        "Hello {name},\n\nTo confirm this address is yours, open this link (valid for 7 "
        "days):\n\n{link}\n\nIf you did not create an Entraide account, ignore this "
        "message.\n\nEntraide",
    ),
    (Purpose.RESET, "fr"): Message(
        "Choisir un nouveau mot de passe",
        "Bonjour {name},\n\nPour choisir un nouveau mot de passe, ouvrez ce lien (valable "
        "1 heure, une seule fois) :\n\n{link}\n\nSi vous n'avez rien demandé, ignorez ce "
        "message : votre mot de passe ne change pas.\n\nEntraide",
    ),
    (Purpose.RESET, "en"): Message(
        "Choose a new password",
        "Hello {name},\n\nTo choose a new password, open this link (valid for 1 hour, "
        "once):\n\n{link}\n\nIf you asked for nothing, ignore this message: your password "
        "does not change.\n\nEntraide",
    ),
}


def compose(
    purpose: Purpose, languages: list[str], name: str, base_url: str, token: str
) -> Message:
    """The message in the member's first language we write (French otherwise)."""
    language = next((lang for lang in languages if lang in ("fr", "en")), "fr")
    template = _MESSAGES[(purpose, language)]
    link = f"{base_url.rstrip('/')}{PATHS[purpose]}?token={token}"
    return Message(template.subject, template.text.format(name=name, link=link))
