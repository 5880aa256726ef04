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
    except (socket.gaierror, UnicodeError, ValueError):
        # Not a name DNS can carry (a label IDNA refuses, a NUL): it resolves to nothing.
        return []
    return sorted({info[4][0] for info in infos})


async def checked_addresses(url: str, allow_private: bool) -> tuple[str | None, list[str]]:
    """Why ``url`` may not receive webhooks (or None), and the addresses it resolved to
    that were checked: the one the delivery then connects to."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (parsed on access: an out-of-range port raises here)
    except ValueError:  # an unclosed IPv6 bracket, a port that is not one
        return "the address is not a valid URL", []
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "the address must be an http or https URL with a host", []
    if parts.username or parts.password:
        return "the address must not carry credentials", []
    addresses = await resolve(parts.hostname)
    if allow_private:
        return (None if addresses else "the host name does not resolve"), addresses
    return refused_address(addresses), addresses


async def address_problem(url: str, allow_private: bool) -> str | None:
    return (await checked_addresses(url, allow_private))[0]


def pinned(url: str, address: str) -> tuple[str, str, str]:
    """The URL with its host replaced by the checked address, the Host header, and the
    name TLS must verify: a second lookup (DNS rebinding) cannot send it elsewhere."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    host_header = f"{host}:{parts.port}" if parts.port else host
    return parts._replace(netloc=netloc).geturl(), host_header, host


class HttpWebhookSender:
    def __init__(
        self, client: httpx.AsyncClient, allow_private: bool, deadline_s: float = 10.0
    ) -> None:
        """``deadline_s``: the whole try, connection, headers and body together (a
        receiver that trickles its answer byte by byte is cut there too)."""
        self.client = client
        self.allow_private = allow_private
        self.deadline_s = deadline_s

    async def address_problem(self, url: str) -> str | None:
        return await address_problem(url, self.allow_private)

    async def send(self, url: str, secrets: list[str], message_id: str, payload: str) -> Attempt:
        # Checked again at each try, not only at registration: a name can be pointed
        # at a private address after it was accepted; and the try goes to the address
        # just checked, not to whatever a second lookup would give.
        problem, addresses = await checked_addresses(url, self.allow_private)
        if problem:
            return Attempt(None, problem)
        target, host_header, tls_name = pinned(url, addresses[0])
        now = utcnow()
        headers = {
            "host": host_header,
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature_header(secrets, message_id, now, payload),
        }
        try:
            async with asyncio.timeout(self.deadline_s):
                response = await self.client.post(
                    target, content=payload, headers=headers,
                    extensions={"sni_hostname": tls_name},
                )  # fmt: skip
        except (TimeoutError, httpx.TimeoutException):
            return Attempt(None, "timed out")
        except httpx.HTTPError as exc:
            return Attempt(None, f"{type(exc).__name__}: {exc}"[:RESPONSE_PREVIEW_CHARS])
        if 200 <= response.status_code < 300:
            return Attempt(response.status_code, None)
        # The status only: a receiver's body is never kept nor shown (it could be
        # anything an internal service answers).
        return Attempt(response.status_code, f"HTTP {response.status_code}")
