"""The web client in headless Chromium (Debian's, driven by Playwright): two browsers,
one posts, the other sees it appear live; an urgent request shows the banner to a
nearby member. Screenshots of the main screens go to tests/screenshots/."""

from __future__ import annotations

import pytest
from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright

from services.posts.entrypoints.app import create_app
from shared.runtime.settings import PROJECT_ROOT
from tests.integration.http_server import http_server
from tests.integration.net import free_ports

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags, Chromium's calls to Google's hosts are
# refused by this machine's closed network, many at a time.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip
SCREENSHOTS = PROJECT_ROOT / "tests" / "screenshots"
FESTIVAL = {"latitude": 48.8937, "longitude": 2.3934}


@pytest.mark.timeout(120)
async def test_two_browsers_see_posts_live_and_the_urgent_banner(make_posts, gateways):
    posts_port, gateway_port = free_ports(2)
    origin = f"http://127.0.0.1:{gateway_port}"
    posts = await make_posts(web_origins=(origin,))
    gateway = await gateways.start(
        http_port=gateway_port, web_origins=(origin,),
        posts_url=f"http://127.0.0.1:{posts_port}",
        notifications_url="http://127.0.0.1:9",  # not running here: the client copes
    )  # fmt: skip
    assert gateway.port == gateway_port
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    async with (
        http_server(create_app(posts.settings, posts.wiring), posts_port),
        async_playwright() as playwright,
    ):
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        author_context = await browser.new_context(locale="fr-FR")
        nearby_context = await browser.new_context(
            locale="en-GB", geolocation=FESTIVAL, permissions=["geolocation"]
        )
        author, nearby = await author_context.new_page(), await nearby_context.new_page()
        # What the author's page logged and received: printed if a step fails.
        seen: list[str] = []
        author.on("console", lambda message: seen.append(f"console: {message.text}"))
        author.on("websocket", lambda ws: ws.on(
            "framereceived", lambda frame: seen.append(f"frame: {str(frame)[:160]}")))  # fmt: skip
        for page in (author, nearby):
            await page.goto(origin + "/")
            await page.wait_for_selector("#status[data-state=live]")
        await nearby.evaluate("window.noReload = true")
        await nearby.click("#locate")
        await nearby.wait_for_selector("#where:has-text('48.894')")
        await nearby.screenshot(path=SCREENSHOTS / "feed-empty.png", full_page=True)

        # The author registers and logs in through the forms (in French).
        await author.click("#show-auth")
        register = author.locator("#register-form")
        await register.locator("[name=display_name]").fill("Amine")
        await register.locator("[name=email]").fill(f"amine-{gateway_port}@example.org")
        await register.locator("[name=password]").fill("correct horse battery")
        await author.screenshot(path=SCREENSHOTS / "register.png", full_page=True)
        await register.locator("button[type=submit]").click()
        await author.wait_for_selector("#new-post:not([hidden])")

        form = author.locator("#new-post")
        await form.locator("[name=title]").fill("Deux places pour le concert de samedi")
        await form.locator("[name=body]").fill("Au prix d'achat, pas plus.")
        await form.locator("[name=category]").select_option("tickets_events")
        await form.locator("[name=lat]").fill("48.8937")
        await form.locator("[name=lon]").fill("2.3934")
        await form.locator("button[type=submit]").click()
        await author.screenshot(path=SCREENSHOTS / "new-post.png", full_page=True)

        item = nearby.locator("#feed li", has_text="Deux places pour le concert de samedi")
        await item.wait_for(timeout=15_000)
        assert await nearby.evaluate("window.noReload") is True  # live, not reloaded
        assert "away" in await item.inner_text()  # the distance, from the fuzzed location
        await nearby.screenshot(path=SCREENSHOTS / "feed-live.png", full_page=True)

        # An urgent request a few hundred metres away: the banner, with distance and time.
        await form.locator("[name=title]").fill("Mon petit frère perdu près de la grande scène")
        await form.locator("[name=category]").select_option("find_a_person")
        await form.locator("[name=urgent]").check()
        await form.locator("[name=lat]").fill("48.8960")
        await form.locator("button[type=submit]").click()
        banner = nearby.locator("#banners .banner")
        await banner.wait_for(timeout=15_000)
        text = await banner.inner_text()
        assert "Urgent" in text and "from you" in text and "left" in text, text
        await nearby.screenshot(path=SCREENSHOTS / "urgent-banner.png", full_page=True)

        # The author's own page shows both posts: the first was made while its socket
        # reconnected after the log-in (the feed is reloaded once it is subscribed again).
        for title in ("Deux places", "Mon petit frère"):
            mine = author.locator("#feed li", has_text=title)
            try:
                await mine.wait_for(timeout=15_000)
            except PlaywrightTimeout as exc:
                status = await author.locator("#status").get_attribute("data-state")
                raise AssertionError(f"{title!r} not in the author's feed; status {status};"
                                     f" its page saw: {seen[-20:]}") from exc  # fmt: skip

        # The thread opens from the feed, in the author's language too.
        await author.locator("#feed li", has_text="Mon petit frère").click()
        await author.wait_for_selector("#thread:not([hidden]) h2")
        await author.screenshot(path=SCREENSHOTS / "thread.png", full_page=True)
        assert await author.locator("#lang").inner_text() == "EN"  # the page is in French
        await browser.close()
