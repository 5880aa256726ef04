"""Settings of the matching service (``ENTRAIDE_`` variables, on top of the shared ones)."""

from __future__ import annotations

from shared.runtime.settings import Settings


class MatchingSettings(Settings):
    matching_app_id: str = "entraide-matching"
    # Internal, keyed-by-category topic: its partition count caps the workers that
    # can share the matching work (see ADR 0006).
    matching_partitions: int = 12
    # Urgent alerts: ring radii in metres, and the wait at each ring before widening.
    # Someone lost in a crowd is found in minutes or not at all: the first ring reaches
    # the people a few minutes' walk away at once, and it widens every minute.
    alert_rings_m: tuple[int, ...] = (500, 1_000, 3_000)
    alert_waits_s: tuple[float, ...] = (60.0, 60.0)
    # Helpers coming that are enough: the rings stop widening (and resume if fewer).
    alert_wanted_helpers: int = 3
    alert_tick_s: float = 1.0
    # faust's web server: /healthz and /readyz for `entraide up` and the probes of a
    # deployment. Tests that run several workers on one machine turn it off.
    web_enabled: bool = True
    http_host: str = "127.0.0.1"
    http_port: int = 18002
