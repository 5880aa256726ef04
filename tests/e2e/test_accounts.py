"""Journey 1's account steps of ``product.md`` in Debian's Chromium, against the whole
system: a member confirms her address from the mail she received, forgets her password,
and chooses a new one from the link the test's SMTP server received."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import expect

from tests.e2e.test_conversations import account
from tests.e2e.test_journeys import chromium, log_in, member, start


def link_in(mail) -> str:
    found = re.search(r"(http://\S+\?token=[A-Za-z0-9_-]+)", mail.get_content())
    assert found, mail.get_content()
    return found.group(1)


@pytest.mark.timeout(240)
async def test_a_member_confirms_her_address_and_resets_her_password_by_mail(system, unique, smtp):
    origin = await start(system)
    email = f"lea@{unique}.example.org"
    http = httpx.AsyncClient(base_url=system.url("posts"), timeout=10)
    await account(http, "Léa", email)
    await http.aclose()
    async with chromium() as browser:
        lea = await member(browser, origin, "Léa", "fr")

        # The welcome mail's link confirms her address.
        welcome = await smtp.wait_for(email)
        assert welcome["Subject"] == "Confirmez votre adresse e-mail"
        await lea.page.goto(link_in(welcome))
        await expect(lea.page.get_by_text("Votre adresse e-mail est confirmée")).to_be_visible()
        await lea.screen("verify-email")

        # She forgot her password: a link by mail, a new password, and she is back in.
        await lea.goto("/login")
        await lea.page.get_by_role("link", name="Mot de passe oublié ?").click()
        await lea.page.get_by_label("E-mail").fill(email)
        await lea.screen("password-reset")
        await lea.page.get_by_role("button", name="Envoyer le lien").click()
        await expect(lea.page.get_by_text(f"Si un compte utilise {email}")).to_be_visible()
        reset = await smtp.wait_for(email, count=2)
        assert reset["Subject"] == "Choisir un nouveau mot de passe"
        await lea.page.goto(link_in(reset))
        await lea.page.get_by_label("Nouveau mot de passe", exact=True).fill("1234567890")
        await lea.page.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
        # Too easy to guess: said next to the field, in French.
        await expect(lea.page.get_by_text("trop facile à deviner")).to_be_visible()
        await lea.page.get_by_label("Nouveau mot de passe", exact=True).fill(
            "pale orange kettle drums"
        )
        await lea.page.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
        await expect(lea.page.get_by_text("Votre mot de passe est changé")).to_be_visible()
        await lea.screen("password-reset-done")
        await lea.page.get_by_role("main").get_by_role("link", name="Se connecter").click()
        await log_in(lea, email, "pale orange kettle drums")
        await lea.page.wait_for_url(f"{origin}/")
        await expect(lea.page.get_by_role("button", name="Se déconnecter")).to_be_visible()
        # And the link works once.
        await lea.page.goto(link_in(reset))
        await lea.page.get_by_label("Nouveau mot de passe", exact=True).fill(
            "another fine long phrase"
        )
        await lea.page.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
        await expect(lea.page.get_by_text("Ce lien a expiré ou a déjà servi")).to_be_visible()
        # The browser logs each refusal (the weak password, the spent link): those two only.
        unexpected = [e for e in lea.errors if "status of 422" not in e]
        assert unexpected == [] and len(lea.errors) == 2, lea.errors
