"""Webhook signing secrets, in Standard Webhooks' ``whsec_`` form."""

from __future__ import annotations

import base64
import secrets

SECRET_BYTES = 32


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()
