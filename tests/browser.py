"""Debian's Chromium for the browser tests, driven by Playwright (its own browser
download fails on these machines)."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags, Chromium's calls to Google's hosts are
# refused by this machine's closed network, many at a time.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
