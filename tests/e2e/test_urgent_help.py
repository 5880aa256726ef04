"""Journey 3 of ``product.md``: urgent help that finds people, in Debian's Chromium against
the whole system (short ring waits here: the first widening after 6 s).

Four members and a visitor: Amine asks for help finding his brother at La Villette; Léa,
300 m away and consenting, gets the prompt at once and says she is coming; Sam, 800 m
away and consenting, only after the first widening; Noé, 200 m away but never said yes,
and an anonymous visitor get nothing. Léa sees the exact point and her sector on the map;
Amine sees her come; "Found" closes the room on both screens, and a later visit is
refused. Nothing that reaches Noé or the visitor carries the exact point.
"""

from __future__ import annotations

import re
import time

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.e2e.conftest import System
from tests.e2e.test_journeys import (
    LAPTOP,
    PHONE,
    Member,
    api_member,
    chromium,
    log_in,
    start,
)

VILLETTE = (48.8937, 2.3934)
METRES_PER_DEGREE = 111_195
# The exact point as text, as it would appear in a frame or a body that leaked it.
EXACT = f"{VILLETTE[0]}"
# Bounds on what the issue asks (2 s to the prompt, 1 s to see a helper come or the room
# close), loosened for this small shared machine; the figures seen are printed, and
# bench/notifications measures the first as a p99.
PROMPT_WITHIN_S = 5.0
LIVE_WITHIN_S = 2.5


def north(metres: float) -> dict:
    return {"lat": round(VILLETTE[0] + metres / METRES_PER_DEGREE, 6), "lon": VILLETTE[1]}


async def person(browser: Browser, origin: str, name: str, at: dict, size=LAPTOP) -> Member:
    context = await browser.new_context(
        locale="fr-FR", viewport=size,
        geolocation={"latitude": at["lat"], "longitude": at["lon"]}, permissions=["geolocation"],
    )  # fmt: skip
    page = await context.new_page()
    page.set_default_timeout(15_000)
    who = Member(page, origin, name, "phone" if size == PHONE else "laptop")
    who.frames = []  # every WebSocket frame the page received, as text
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: who.frames.append(str(f))))
    return who


async def logged_in(who: Member, email: str) -> None:
    await who.goto("/login")
    await log_in(who, email)
    await expect(who.page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    await expect(who.page.get_by_text("en direct", exact=True)).to_be_visible()


def prompt(who: Member):
    return who.page.get_by_role("alertdialog")


@pytest.mark.timeout(300)
async def test_urgent_help_reaches_the_right_people_and_only_they_see_where(system: System, unique):
    origin = await start(system, ENTRAIDE_ALERT_WAITS_S="[6, 120]", ENTRAIDE_ALERT_TICK_S="0.2")
    domain = f"{unique}.example.org"
    async with httpx.AsyncClient(base_url=system.url("posts"), timeout=15) as http:
        # name: (login, home, said yes to urgent alerts)
        people = {
            "Amine": ("amine", north(0), False),
            "Léa": ("lea", north(300), True),
            "Sam": ("sam", north(800), True),
            "Noé": ("noe", north(200), False),
        }
        headers = {}
        for name, (login, home, consent) in people.items():
            headers[name] = await api_member(system, http, login, domain)
            changed = await http.patch("/me", headers=headers[name], json={
                "display_name": name, "home": home, "urgent_alerts_consent": consent,
            })  # fmt: skip
            assert changed.status_code == 200, changed.text

        async with chromium() as browser:
            amine = await person(browser, origin, "Amine", north(0))
            lea = await person(browser, origin, "Léa", north(300), size=PHONE)
            sam = await person(browser, origin, "Sam", north(800))
            noe = await person(browser, origin, "Noé", north(200))
            visitor = await person(browser, origin, "visitor", north(100))
            for who in (amine, lea, sam, noe):
                await logged_in(who, f"{people[who.name][0]}@{domain}")
            await visitor.goto("/")
            await expect(visitor.page.get_by_text("en direct", exact=True)).to_be_visible()

            # Amine asks. Léa, 300 m away, is prompted at once; Sam, 800 m away, is not.
            asked = await http.post("/posts", headers=headers["Amine"], json={
                "kind": "request", "category": "find_a_person", "urgency": "urgent",
                "title": "Mon petit frère perdu près de la grande halle",
                "body": "Huit ans, casquette rouge.", "language": "fr",
                "location": {"lat": VILLETTE[0], "lon": VILLETTE[1]},
            })  # fmt: skip
            posted_at = time.monotonic()
            assert asked.status_code == 201, asked.text
            post_id = asked.json()["id"]
            await expect(prompt(lea)).to_be_visible(timeout=PROMPT_WITHIN_S * 1000)
            lea_prompted_s = time.monotonic() - posted_at
            print(f"post's 201 -> Léa's prompt: {lea_prompted_s:.2f} s")
            # In her language, and how far only as a coarse bucket from the public cell.
            await expect(prompt(lea)).to_contain_text("Urgent, près de vous : Mon petit frère")
            await expect(prompt(lea)).to_contain_text(re.compile("à moins de 500 m|à environ 1 km"))
            await lea.screen("alert-prompt")
            assert await prompt(sam).count() == 0

            # The first ring widens (6 s here): Sam is prompted too.
            await expect(prompt(sam)).to_be_visible(timeout=20_000)
            assert time.monotonic() - posted_at >= 5.5
            await prompt(sam).get_by_role("button", name="Je ne peux pas").click()
            await expect(prompt(sam)).to_have_count(0)

            # Amine opens his search room from his post.
            await amine.goto(f"/posts/{post_id}")
            await amine.page.get_by_role("link", name="Ouvrir la salle de recherche").click()
            await expect(amine.page.get_by_text("Personne n'arrive encore.")).to_be_visible()

            # Léa is coming: she enters the room and sees the point and her sector.
            await prompt(lea).get_by_role("button", name="J'arrive").click()
            clicked_at = time.monotonic()
            await expect(lea.page).to_have_url(f"{origin}/alerts/{post_id}")
            await expect(lea.page.get_by_text("Votre secteur : Nord.")).to_be_visible()
            coming = amine.page.locator(".helpers li").filter(has_text="Léa")
            await expect(coming).to_be_visible(timeout=LIVE_WITHIN_S * 1000)
            print(f"Léa's answer -> Amine sees her come: {time.monotonic() - clicked_at:.2f} s")
            await expect(amine.page.get_by_text("Une personne ne peut pas venir.")).to_be_visible()
            # The map draws the last-seen point and eight sectors, with or without tiles.
            sectors = lea.page.locator(".search-map path.leaflet-interactive")
            await expect(sectors).to_have_count(9)  # eight sectors and the point
            await lea.page.get_by_label("Message à la salle").fill("Je suis à l'entrée nord")
            await lea.page.get_by_role("button", name="Envoyer").click()
            await expect(amine.page.get_by_text("Je suis à l'entrée nord")).to_be_visible()
            await lea.screen("search-room-helper")
            await amine.screen("search-room-requester")

            # Found: the room closes on every screen, and a later visit is refused.
            await amine.page.get_by_role("button", name="Retrouvé : terminer la recherche").click()
            found_at = time.monotonic()
            for who in (amine, lea):
                await expect(
                    who.page.get_by_text("La recherche est terminée : merci.")
                ).to_be_visible(timeout=LIVE_WITHIN_S * 1000)
            print(f"Found -> the room closed on both screens: {time.monotonic() - found_at:.2f} s")
            await lea.goto(f"/alerts/{post_id}")
            await expect(
                lea.page.get_by_text("Cette salle de recherche est réservée")
            ).to_be_visible()

            # Noé (no consent) and the visitor got nothing, and nothing carried the point.
            for who in (noe, visitor):
                assert await prompt(who).count() == 0, who.name
                assert not [f for f in who.frames if EXACT in f], who.name
                assert not [f for f in who.frames if '"room' in f], who.name
            async with httpx.AsyncClient(base_url=system.url("notifications")) as inbox_http:
                inbox = await inbox_http.get("/v1/inbox", headers=headers["Sam"])
            assert inbox.status_code == 200 and EXACT not in inbox.text
            for who in (amine, lea, sam, noe, visitor):
                assert who.errors == [], (who.name, who.errors)
