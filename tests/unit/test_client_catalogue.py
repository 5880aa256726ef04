"""The server's codes have their sentences in the web client's catalogues, in both
languages: an error code a service sends and every notification title code."""

from __future__ import annotations

import re

from services.notifications.domain.notices import NoticeCode
from shared.runtime.settings import PROJECT_ROOT

CATALOGUES = PROJECT_ROOT / "services" / "gateway" / "web" / "src" / "i18n"
SERVICES = PROJECT_ROOT / "services"


def keys(language: str) -> set[str]:
    text = (CATALOGUES / f"{language}.ts").read_text()
    return set(re.findall(r"^\s+(\w+):", text, re.MULTILINE))


def error_codes() -> set[str]:
    """Every precise code a service gives an error (``code="email_taken"``)."""
    found = set()
    for path in SERVICES.rglob("*.py"):
        found |= set(re.findall(r'\bcode="([a-z_]+)"', path.read_text()))
    return found


def test_every_error_code_is_said_in_both_languages():
    codes = error_codes()
    assert {"email_taken", "wrong_login", "session_over", "not_a_replier"} <= codes
    for language in ("en", "fr"):
        missing = {c for c in codes if f"error_{c}" not in keys(language)}
        assert missing == set(), f"{language}.ts lacks error_ keys for {missing}"


def test_every_notification_title_is_said_in_both_languages():
    for language in ("en", "fr"):
        have = keys(language)
        missing = [
            code.value
            for code in NoticeCode
            if f"notice_{code.value}" not in have and f"notice_{code.value}_one" not in have
        ]
        assert missing == [], f"{language}.ts lacks notice_ keys for {missing}"
