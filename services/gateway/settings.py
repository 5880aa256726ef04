"""Settings of the gateway (``ENTRAIDE_`` variables, on top of the shared ones)."""

from __future__ import annotations

from pathlib import Path

from shared.runtime.settings import Settings


class GatewaySettings(Settings):
    http_host: str = "127.0.0.1"
    http_port: int = 18004
    keys_dir: Path | None = None  # default: <data_dir>/keys, the posts service's keys
    # Where the web client reaches the HTTP APIs (they allow the origins above).
    posts_url: str = "http://127.0.0.1:18001"
    notifications_url: str = "http://127.0.0.1:18003"
    # The search room's map tiles, e.g. "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    # (allowed by the page's Content-Security-Policy). Empty: no tiles; the map still
    # draws the points and sectors on a plain background.
    map_tiles_url: str = ""
    map_tiles_attribution: str = ""

    # The resume window: events kept per partition for clients that reconnect.
    resume_events_per_partition: int = 5_000
    # A client whose unsent frames pass this is too slow: closed (4008), never waited on.
    send_buffer_frames: int = 512
    max_frame_bytes: int = 16 * 1024
    frames_per_s: float = 20.0
    frame_burst: int = 40
    location_min_interval_s: float = 5.0
    # Keepalive pings; none (null) turns them off (benchmarks with raw clients).
    ping_interval_s: float | None = 20.0

    @property
    def verifying_keys_dir(self) -> Path:
        return self.keys_dir or self.data_dir / "keys"

    @property
    def cursor_secret_file(self) -> Path:
        return self.verifying_keys_dir / "gateway-cursor.secret"
