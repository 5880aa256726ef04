"""Journey 6 of ``product.md`` in two browsers (Debian's Chromium), against the whole
system: Léa (English, on a phone) contacts Tom (French, on a laptop) from his offer;
they write to each other live, and both see the safety note once a meeting is arranged;
Tom adds a photo to his offer; Léa opens Tom's profile and sees what he resolved, then
blocks him and reports the conversation. axe-core on every screen."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import expect

from tests.e2e.test_journeys import (
    PASSWORD,
    PHONE,
    SLOW_MS,
    a_photo,
    api_post,
    chromium,
    log_in,
    member,
    start,
)


async def account(http: httpx.AsyncClient, name: str, email: str) -> dict[str, str]:
    """A member made through the API (the browser logs in as them): their token."""
    body = {"email": email, "password": PASSWORD, "display_name": name}
    assert (await http.post("/auth/register", json=body)).status_code == 201
    login = await http.post("/auth/login", json={"email": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


@pytest.mark.timeout(300)
async def test_lea_contacts_tom_they_talk_live_then_she_blocks_and_reports_him(system, unique):
    origin = await start(system)
    domain = f"{unique}.example.org"
    http = httpx.AsyncClient(base_url=system.url("posts"), timeout=10)
    toms = await account(http, "Tom", f"tom@{domain}")
    await account(http, "Léa", f"lea@{domain}")
    # Tom gave a lamp away last month (resolved), and offers a sofa today.
    lamp = (await http.post("/posts", json=api_post("Lampe de bureau"), headers=toms)).json()
    resolved = await http.post(f"/posts/{lamp['id']}/resolve", json={"outcome": "helped"},
                               headers=toms)  # fmt: skip
    assert resolved.status_code == 200, resolved.text
    sofa = await http.post("/posts", json=api_post("Canapé trois places à donner"), headers=toms)
    sofa_path = f"/posts/{sofa.json()['id']}"
    sams = await account(http, "Sam", f"sam@{domain}")
    await http.post("/posts", json=api_post("Vélo à prêter ce week-end"), headers=sams)

    async with chromium() as browser:
        tom = await member(browser, origin, "Tom", "fr")
        lea = await member(browser, origin, "Léa", "en", size=PHONE)
        for who, email in ((tom, f"tom@{domain}"), (lea, f"lea@{domain}")):
            await who.goto("/login")
            await log_in(who, email)
            await who.page.wait_for_url(f"{origin}/")

        # Léa, on her phone, contacts Tom from his offer.
        await lea.goto(sofa_path)
        await lea.page.get_by_role("button", name="Contact Tom").click()
        await lea.page.wait_for_url(re.compile(r"/conversations/\w+$"))
        conversation_path = lea.page.url.removeprefix(origin)
        await expect(
            lea.page.get_by_text("Only the two of you see this conversation")
        ).to_be_visible()
        await lea.page.get_by_label("Your message").fill("Hello! Is the sofa still free?")
        await lea.page.get_by_role("button", name="Send").click()
        await expect(lea.page.locator(".messages li.mine")).to_contain_text(
            "Is the sofa still free?"
        )

        # Tom hears of it in his header, opens his messages, and answers; live both ways.
        messages_link = tom.page.get_by_role("link", name=re.compile("^Messages"))
        await expect(messages_link.locator(".badge")).to_have_text("1", timeout=SLOW_MS)
        await messages_link.click()
        await expect(tom.page.get_by_role("link", name=re.compile("Léa"))).to_be_visible()
        await tom.screen("conversations")
        await tom.page.get_by_role("link", name=re.compile("Léa")).click()
        await tom.page.wait_for_url(origin + conversation_path)
        await expect(tom.page.locator(".messages li.theirs")).to_contain_text(
            "Is the sofa still free?"
        )
        await expect(messages_link.locator(".badge")).to_have_count(0, timeout=SLOW_MS)  # read
        await expect(lea.page.get_by_text("Seen")).to_be_visible(timeout=SLOW_MS)
        await tom.page.get_by_label("Votre message").fill(
            "Oui ! Rendez-vous devant la gare à 18h ?"
        )
        await tom.page.get_by_role("button", name="Envoyer").click()
        await expect(lea.page.locator(".messages li.theirs")).to_contain_text(
            "Rendez-vous devant la gare", timeout=SLOW_MS
        )
        # A meeting is arranged: both are shown the safety note, each in their language.
        await expect(
            lea.page.get_by_role("heading", name="Meeting someone? A few precautions")
        ).to_be_visible()
        await expect(
            tom.page.get_by_role("heading", name="Un rendez-vous ? Quelques précautions")
        ).to_be_visible()
        await lea.page.get_by_label("Your message").fill("Perfect, see you there")
        await lea.page.get_by_role("button", name="Send").click()
        await expect(tom.page.locator(".messages li.theirs").last).to_contain_text(
            "see you there", timeout=SLOW_MS
        )
        # Tom was told of Léa's first message in his notifications too; he read the
        # conversation, so that is read, and what came while it was open is not news.
        notices = tom.page.get_by_role("link", name=re.compile("^Notifications"))
        await expect(notices.locator(".badge")).to_have_count(0, timeout=SLOW_MS)
        await tom.screen("conversation")
        await lea.screen("conversation")

        # Tom adds a photo of the sofa to his offer; Léa sees it there.
        await tom.goto(sofa_path)
        await tom.page.get_by_label("Ajouter une photo").set_input_files(
            {"name": "canape.jpg", "mimeType": "image/jpeg", "buffer": a_photo()}
        )
        await expect(tom.page.locator(".photos img")).to_have_count(1, timeout=SLOW_MS)
        await lea.goto(sofa_path)
        await expect(lea.page.locator(".photos img")).to_have_count(1, timeout=SLOW_MS)
        assert await lea.page.locator(".photos img").evaluate("img => img.naturalWidth") > 0

        # Léa opens Tom's profile from the conversation: one offer resolved.
        await lea.goto(conversation_path)
        await lea.page.get_by_role("heading", level=1).get_by_role("link", name="Tom").click()
        await expect(lea.page.get_by_role("heading", level=1)).to_have_text("Tom")
        await expect(lea.page.get_by_text("1 offer resolved")).to_be_visible()
        await lea.screen("profile-from-conversation")

        # She blocks him, and reports the conversation.
        await lea.goto(conversation_path)
        await lea.page.get_by_role("button", name="Block Tom").click()
        await expect(lea.page.get_by_text("You blocked Tom: no more messages")).to_be_visible()
        await expect(lea.page.get_by_label("Your message")).to_have_count(0)
        await lea.page.get_by_role("button", name="Report this conversation").click()
        await lea.page.get_by_label("What is wrong in this conversation?").fill(
            "He asked me to pay before seeing the sofa"
        )
        await lea.page.get_by_role("button", name="Send the report").click()
        await expect(
            lea.page.get_by_text("Thank you: a moderator will look at it.")
        ).to_be_visible()
        await lea.screen("conversation-blocked")
        # Tom can no longer write: told in French, next to his message.
        await tom.goto(conversation_path)
        await expect(
            tom.page.get_by_text("Vous ne pouvez plus écrire dans cette conversation.")
        ).to_be_visible()
        # And his offer left her feed (Sam's is still there).
        await lea.goto("/")
        await expect(lea.page.locator("article").filter(has_text="Vélo à prêter")).to_be_visible()
        await expect(
            lea.page.locator("article").filter(has_text="Canapé trois places")
        ).to_have_count(0)

        for who in (tom, lea):
            assert who.errors == [], who.errors
    await http.aclose()
