"""Settings of the notifications service (``ENTRAIDE_`` variables, on top of the shared ones)."""

from __future__ import annotations

from pathlib import Path

from services.notifications.domain.webhooks import DEFAULT_RETRY_SCHEDULE_S
from shared.runtime.settings import Settings


class NotificationsSettings(Settings):
    http_host: str = "127.0.0.1"
    http_port: int = 18003
    # Its own schema: the service owns its tables (and its schema_migrations).
    postgres_schema: str | None = "notifications"
    redis_prefix: str = "entraide:notifications"
    consumer_group: str = "entraide-notifications"
    keys_dir: Path | None = None  # default: <data_dir>/keys, the posts service's keys
    db_pool_max: int = 10

    # Partner webhooks.
    # Loopback and private addresses are refused unless this is set (development).
    allow_private_webhooks: bool = False
    webhook_retry_schedule_s: tuple[float, ...] = DEFAULT_RETRY_SCHEDULE_S
    webhook_timeout_s: float = 10.0
    # Longer than a try can take, so a live sender's lease never lapses mid-send.
    webhook_lease_s: float = 60.0
    webhook_max_in_flight: int = 64
    # One delivery in flight per endpoint: a receiver gets them one at a time, in order.
    webhook_per_endpoint: int = 1
    # After a rotation the old secret still signs for this long.
    webhook_secret_grace_s: int = 24 * 3600

    digest_tick_s: float = 60.0
    # How often the closed days' outcomes are offered to partners (each day is queued
    # once per endpoint; the rounds after that find nothing to add).
    outcomes_tick_s: float = 3600.0

    @property
    def verifying_keys_dir(self) -> Path:
        return self.keys_dir or self.data_dir / "keys"
