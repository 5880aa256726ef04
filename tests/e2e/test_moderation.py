"""Journey 7's first steps of ``product.md`` in two browsers, against the whole system:
the operator makes the first moderator (`entraide grant`), who suspends a member from
his profile with a reason; the member's open page is told at once (his socket closes
with 4003) and he is logged out."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import expect

from ops.roles import grant
from services.posts.settings import PostsSettings
from shared.contract.identity import Role
from tests.e2e.test_conversations import account
from tests.e2e.test_journeys import SLOW_MS, chromium, log_in, member, start


@pytest.mark.timeout(240)
async def test_a_moderator_suspends_a_member_whose_open_page_logs_out(system, unique):
    origin = await start(system)
    domain = f"{unique}.example.org"
    http = httpx.AsyncClient(base_url=system.url("posts"), timeout=10)
    await account(http, "Nadia", f"nadia@{domain}")
    await account(http, "Sam", f"sam@{domain}")
    sam_id = (await http.post("/auth/login", json={"email": f"sam@{domain}",
              "password": "correct horse battery"})).json()["account"]["id"]  # fmt: skip
    await http.aclose()
    settings = PostsSettings(postgres_dsn=system.env["ENTRAIDE_POSTGRES_DSN"],
                             postgres_schema=system.env["ENTRAIDE_POSTGRES_SCHEMA"])  # fmt: skip
    await grant(settings, f"nadia@{domain}", Role.MODERATOR, "first moderator")

    async with chromium() as browser:
        nadia = await member(browser, origin, "Nadia", "fr")
        sam = await member(browser, origin, "Sam", "en")
        for who, email in ((nadia, f"nadia@{domain}"), (sam, f"sam@{domain}")):
            await who.goto("/login")
            await log_in(who, email)
            await who.page.wait_for_url(f"{origin}/")
        await sam.live("live")

        await nadia.goto(f"/members/{sam_id}")
        await expect(nadia.page.get_by_role("heading", name="Modération")).to_be_visible()
        await nadia.page.get_by_role("button", name="Suspendre ce membre").click()
        await expect(nadia.page.get_by_text("Obligatoire.")).to_be_visible()  # a reason
        await nadia.page.get_by_label("Motif (gardé dans le journal de modération)").fill(
            "Demande de l'argent aux membres"
        )
        await nadia.screen("moderate-member")
        await nadia.page.get_by_role("button", name="Suspendre ce membre").click()
        await expect(nadia.page.get_by_text("Ce compte est suspendu.")).to_be_visible()

        # Sam's open page hears it at once: logged out, and told why.
        await sam.page.wait_for_url(f"{origin}/login?suspended=1", timeout=SLOW_MS)
        await expect(
            sam.page.get_by_text("Your account is suspended by a moderator")
        ).to_be_visible()
        await expect(sam.page.get_by_role("link", name="Log in")).to_be_visible()
        await sam.screen("suspended")
        await log_in(sam, f"sam@{domain}")
        await expect(
            sam.page.get_by_text("This account is suspended by a moderator.")
        ).to_be_visible()
        unexpected = [e for e in sam.errors if "status of 403" not in e]
        assert unexpected == [] and nadia.errors == [], (sam.errors, nadia.errors)
