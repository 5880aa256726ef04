"""Send one signed delivery over HTTP (Standard Webhooks), and vet endpoint addresses."""

from __future__ import annotations

import asyncio
import socket
from datetime import datetime
from urllib.parse import urlsplit

import httpx
from standardwebhooks.webhooks import Webhook

from services.notifications.domain.webhooks import refused_address
from services.notifications.ports import Attempt
from shared.runtime.clock import utcnow

USER_AGENT = "Entraide-Webhooks/1.0"
RESPONSE_PREVIEW_CHARS = 200


def signature_header(secrets: list[str], message_id: str, at: datetime, payload: str) -> str:
    """One ``v1,<base64>`` per secret, space-separated, as the specification allows."""
    return " ".join(Webhook(secret).sign(message_id, at, payload) for secret in secrets)


async def resolve(host: str) -> list[str]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return []
    return sorted({info[4][0] for info in infos})


async def address_problem(url: str, allow_private: bool) -> str | None:
    """Why ``url`` may not receive webhooks, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "the address must be an http or https URL with a host"
    if parts.username or parts.password:
        return "the address must not carry credentials"
    if allow_private:
        return None
    return refused_address(await resolve(parts.hostname))


class HttpWebhookSender:
    def __init__(self, client: httpx.AsyncClient, allow_private: bool) -> None:
        self.client = client
        self.allow_private = allow_private

    async def address_problem(self, url: str) -> str | None:
        return await address_problem(url, self.allow_private)

    async def send(self, url: str, secrets: list[str], message_id: str, payload: str) -> Attempt:
        # Checked again at each try, not only at registration: a name can be pointed
        # at a private address after it was accepted.
        problem = await self.address_problem(url)
        if problem:
            return Attempt(None, problem)
        now = utcnow()
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature_header(secrets, message_id, now, payload),
        }
        try:
            response = await self.client.post(url, content=payload, headers=headers)
        except httpx.TimeoutException:
            return Attempt(None, "timed out")
        except httpx.HTTPError as exc:
            return Attempt(None, f"{type(exc).__name__}: {exc}"[:RESPONSE_PREVIEW_CHARS])
        if 200 <= response.status_code < 300:
            return Attempt(response.status_code, None)
        return Attempt(
            response.status_code,
            f"HTTP {response.status_code}: {response.text[:RESPONSE_PREVIEW_CHARS]}",
        )
