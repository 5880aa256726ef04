"""Settings of the posts service (``ENTRAIDE_`` variables, on top of the shared ones)."""

from __future__ import annotations

from pathlib import Path

from shared.runtime.settings import Settings


class PostsSettings(Settings):
    http_host: str = "127.0.0.1"
    http_port: int = 18001
    http_workers: int = 1
    # A schema and a key prefix of its own: tests and benchmarks give each run theirs.
    postgres_schema: str | None = None
    redis_prefix: str = "entraide"
    keys_dir: Path | None = None  # default: <data_dir>/keys
    # The proxies (addresses or networks) in front of the API whose X-Forwarded-For is
    # believed: the client address that log-in attempts are counted by. Empty: the peer.
    trusted_proxies: tuple[str, ...] = ()
    # Mail (e-mail verification, password reset): who it is from, and where its links
    # lead (the web client, as members reach it).
    mail_from: str = "Entraide <no-reply@entraide.localhost>"
    web_url: str = "http://127.0.0.1:18004"
    resets_per_hour: int = 5
    # Where posts' photos are kept (a volume shared by every posts worker and replica).
    photos_dir: Path | None = None  # default: <data_dir>/photos

    # Limits per member (per address for log-ins), per window.
    posts_per_hour: int = 30
    replies_per_hour: int = 120
    reports_per_hour: int = 30
    messages_per_hour: int = 300
    urgent_per_day: int = 3
    logins_per_window: int = 10
    # New accounts: each costs an argon2 hash (64 MiB, ~50 ms of a core), and a free
    # account is a free report. Per address an hour, and for everyone a minute.
    registrations_per_address: int = 20
    registrations_per_minute: int = 120
    login_window_s: int = 300

    # Sessions (docs/adr/0016): a short access token, renewed by the client with a
    # rotating refresh token kept in an HttpOnly cookie for this long.
    access_token_ttl_s: int = 15 * 60
    refresh_token_ttl_days: int = 30
    # Send the cookie over HTTPS only: on wherever the API is served over HTTPS (compose
    # and the local stack serve plain HTTP on loopback).
    session_cookie_secure: bool = False
    # The path of the /auth routes as the browser sees them (behind a proxy that serves
    # the API under a prefix, that prefix and /auth): only they ever receive the cookie.
    session_cookie_path: str = "/auth"

    report_hide_threshold: int = 3
    expiry_sweep_s: float = 30.0
    # The API process runs the relay and the expiry sweep too, unless told otherwise
    # (then run `python -m services.posts.entrypoints.relay` on its own).
    run_relay: bool = True
    # The relay wakes on NOTIFY; this poll only covers a lost notification.
    outbox_safety_poll_s: float = 1.0
    outbox_batch_size: int = 500
    db_pool_max: int = 20

    @property
    def photos_path(self) -> Path:
        return self.photos_dir or self.data_dir / "photos"

    @property
    def signing_keys_dir(self) -> Path:
        return self.keys_dir or self.data_dir / "keys"
