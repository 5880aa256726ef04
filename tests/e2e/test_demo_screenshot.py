"""The demo, loaded into a running system, in a browser: a screenshot of its feed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from ops.demo import POSTS, load_demo
from shared.runtime.auth import KeyRing
from shared.runtime.settings import PROJECT_ROOT
from tests.browser import CHROMIUM, CHROMIUM_ARGS

SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screens"


@pytest.mark.timeout(180)
async def test_the_demo_feed_in_a_browser(system):
    for name in ("posts", "matching", "notifications", "gateway"):
        await asyncio.to_thread(system.start, name, system.ports.get(name))
    signer = KeyRing(Path(system.env["ENTRAIDE_KEYS_DIR"])).signer()
    loaded = await asyncio.to_thread(load_demo, system.url("posts"), signer)
    assert loaded["posts"] == len(POSTS)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(
            locale="fr-FR", geolocation={"latitude": 48.8937, "longitude": 2.3934},
            permissions=["geolocation"], viewport={"width": 1280, "height": 1000},
        )  # fmt: skip
        page = await context.new_page()
        await page.goto(f"http://127.0.0.1:{system.ports['gateway']}/")
        await page.get_by_role("status").filter(has_text="en direct").wait_for()
        # The demo's newest posts, as the feed lists them (open ones, newest first).
        titles = [fields["title"] for _, fields in POSTS]
        await page.get_by_role("link", name=titles[-1]).wait_for()
        shown = await page.locator("article h2").all_inner_texts()
        assert set(shown) == set(titles)
        await page.screenshot(path=SCREENSHOTS / "demo-feed.png", full_page=True)
        await browser.close()
