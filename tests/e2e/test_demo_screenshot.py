"""The demo, loaded into a running system, in a browser: a screenshot of its feed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from ops.demo import POSTS, load_demo
from shared.runtime.auth import KeyRing
from shared.runtime.settings import PROJECT_ROOT
from tests.integration.gateway.test_browser import CHROMIUM, CHROMIUM_ARGS

SCREENSHOTS = PROJECT_ROOT / "tests" / "screenshots"


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
        await page.wait_for_selector("#status[data-state=live]")
        await page.click("#locate")
        await page.wait_for_function(
            f"document.querySelectorAll('#feed li').length >= {len(POSTS)}"
        )
        await page.screenshot(path=SCREENSHOTS / "demo-feed.png", full_page=True)
        titles = await page.locator("#feed li strong").all_inner_texts()
        assert "J'ai perdu mon petit frère près de la grande scène" in titles
        await browser.close()
