"""Journey 7's first steps of ``product.md`` in two browsers, against the whole system:
the operator makes the first moderator (`entraide grant`), who suspends a member from
his profile with a reason; the member's open page is told at once (his socket closes
with 4003) and he is logged out."""

from __future__ import annotations

import re

import asyncpg
import httpx
import pytest
from playwright.async_api import expect

from ops.roles import grant
from services.posts.settings import PostsSettings
from shared.contract.identity import Role
from tests.e2e.test_conversations import account
from tests.e2e.test_journeys import PHONE, SLOW_MS, api_post, chromium, log_in, member, start
from tests.integration.kafka_tools import wait_until


@pytest.mark.timeout(240)
async def test_a_moderator_suspends_a_member_whose_open_page_logs_out(system, unique):
    origin = await start(system)
    domain = f"{unique}.example.org"
    http = httpx.AsyncClient(base_url=system.url("posts"), timeout=10)
    await account(http, "Nadia", f"nadia@{domain}")
    await account(http, "Sam", f"sam@{domain}")
    await account(http, "Léa", f"lea@{domain}")
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

        # Léa, on a phone in English, reports Sam from his profile.
        lea = await member(browser, origin, "Léa", "en", size=PHONE)
        await lea.goto("/login")
        await log_in(lea, f"lea@{domain}")
        await lea.page.wait_for_url(f"{origin}/")
        await lea.goto(f"/members/{sam_id}")
        await lea.page.get_by_role("button", name="Report this member").click()
        await lea.page.get_by_label("What is wrong with this member").fill(
            "He asks everyone for money in private"
        )
        await lea.page.get_by_role("button", name="Send the report").click()
        await expect(lea.page.get_by_text("Thank you: a moderator will look")).to_be_visible()
        await lea.screen("member-reported")

        # Nadia finds him in the queue, with the report, and opens his profile.
        await nadia.page.get_by_role("link", name="Modération").click()
        reported = nadia.page.locator(".queue li").filter(has_text="Sam")
        await expect(reported).to_contain_text("He asks everyone for money in private")
        await expect(reported).to_contain_text("1 signalement")
        await nadia.screen("moderation-reported-member")
        await reported.get_by_role("link", name="Sam").click()
        await nadia.page.wait_for_url(f"{origin}/members/{sam_id}")
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
        assert lea.errors == []
        # The suspension decided about him: he has left the queue.
        await nadia.page.get_by_role("link", name="Modération").click()
        await expect(nadia.page.get_by_text("Rien n'attend")).to_be_visible()


@pytest.mark.timeout(240)
async def test_a_hidden_post_is_appealed_and_restored_by_another_moderator(system, unique):
    # Each reporter comes through the test's "proxy" with an address of their own.
    origin = await start(system, ENTRAIDE_TRUSTED_PROXIES='["127.0.0.1"]')
    domain = f"{unique}.example.org"
    http = httpx.AsyncClient(base_url=system.url("posts"), timeout=10)
    lea = await account(http, "Léa", f"lea@{domain}")
    reporters = [await account(http, f"R{n}", f"r{n}@{domain}") for n in range(4)]
    await account(http, "Nadia", f"nadia@{domain}")
    await account(http, "Omar", f"omar@{domain}")
    settings = PostsSettings(postgres_dsn=system.env["ENTRAIDE_POSTGRES_DSN"],
                             postgres_schema=system.env["ENTRAIDE_POSTGRES_SCHEMA"])  # fmt: skip
    for who in ("nadia", "omar"):
        await grant(settings, f"{who}@{domain}", Role.MODERATOR, "moderators of the test")
    await settle(system, [f"r{n}@{domain}" for n in range(4)])
    post = api_post("Voiture à prêter ce week-end", kind="offer")
    post_id = (await http.post("/posts", json=post, headers=lea)).json()["id"]
    for n, reporter in enumerate(reporters):  # 4 x 0.75: over the threshold of 3
        headers = {**reporter, "X-Forwarded-For": f"203.0.113.{n}"}
        assert (await http.post(f"/posts/{post_id}/reports", json={"reason": "arnaque"},
                                headers=headers)).status_code == 204  # fmt: skip
    await http.aclose()

    async with chromium() as browser:
        nadia = await member(browser, origin, "Nadia", "fr")
        omar = await member(browser, origin, "Omar", "fr")
        author = await member(browser, origin, "Léa", "en", size=PHONE)
        for who, email in ((nadia, "nadia"), (omar, "omar"), (author, "lea")):
            await who.goto("/login")
            await log_in(who, f"{email}@{domain}")
            await who.page.wait_for_url(f"{origin}/")

        # Nadia works the queue: the hidden post, its reports and their weight.
        await nadia.page.get_by_role("link", name="Modération").click()
        item = nadia.page.locator(".queue li").filter(has_text="Voiture à prêter")
        await expect(item).to_contain_text("4 signalements (poids 3.00)")
        await nadia.screen("moderation-queue")
        await item.get_by_label("Motif (gardé dans le journal de modération)").fill(
            "Trop d'alertes"
        )
        await item.get_by_role("button", name="Laisser retirée").click()
        await expect(nadia.page.get_by_text("Rien n'attend")).to_be_visible()

        # Léa, on her phone, appeals from her post.
        await author.goto(f"/posts/{post_id}")
        await author.page.get_by_role("button", name="Appeal this decision").click()
        await author.page.get_by_label(re.compile("^Why should it be back")).fill(
            "It is my own car, lent for free to neighbours."
        )
        await author.page.get_by_role("button", name="Send the appeal").click()
        await expect(author.page.get_by_text("Your appeal is sent")).to_be_visible()
        await author.screen("appeal-sent")

        # Nadia decided first: the appeal goes to Omar, who restores the post.
        await nadia.page.reload()
        appeal = nadia.page.locator(".queue li").filter(has_text="It is my own car")
        await appeal.get_by_label("Motif (gardé dans le journal de modération)").fill("Vérifié")
        await appeal.get_by_role("button", name="Rétablir").click()
        await expect(appeal.get_by_role("alert")).to_contain_text(
            "Un autre modérateur doit décider"
        )
        await omar.page.get_by_role("link", name="Modération").click()
        appeal = omar.page.locator(".queue li").filter(has_text="It is my own car")
        await appeal.get_by_label("Motif (gardé dans le journal de modération)").fill(
            "Appel fondé : voiture prêtée gratuitement"
        )
        await appeal.get_by_role("button", name="Rétablir").click()
        await expect(omar.page.get_by_text("Rien n'attend")).to_be_visible()
        # Back in the feed, for everyone.
        await author.goto("/")
        await expect(
            author.page.locator("article").filter(has_text="Voiture à prêter")
        ).to_be_visible(timeout=SLOW_MS)
        refusals = [e for e in nadia.errors if "status of 403" not in e]
        assert refusals == [] and omar.errors == [] and author.errors == []


async def settle(system, emails: list[str]) -> None:
    """Members of a month whose address is confirmed: each report weighs 0.75."""
    conn = await asyncpg.connect(system.env["ENTRAIDE_POSTGRES_DSN"], server_settings={
        "search_path": system.env["ENTRAIDE_POSTGRES_SCHEMA"]})  # fmt: skip
    try:
        await conn.execute(
            "UPDATE accounts SET created_at = now() - interval '30 days',"
            " email_verified_at = now() WHERE email = ANY($1::text[])",
            emails,
        )
    finally:
        await conn.close()


@pytest.mark.timeout(240)
async def test_an_association_is_verified_and_works_its_console(system, unique, receiver):
    origin = await start(system)
    domain = f"{unique}.example.org"
    http = httpx.AsyncClient(base_url=system.url("posts"), timeout=10)
    await account(http, "Banque alimentaire", f"banque@{domain}")
    await account(http, "Nadia", f"nadia@{domain}")
    login = await http.post("/auth/login", json={"email": f"banque@{domain}",
                                                 "password": "correct horse battery"})  # fmt: skip
    bank_id = login.json()["account"]["id"]
    await http.aclose()
    settings = PostsSettings(postgres_dsn=system.env["ENTRAIDE_POSTGRES_DSN"],
                             postgres_schema=system.env["ENTRAIDE_POSTGRES_SCHEMA"])  # fmt: skip
    await grant(settings, f"nadia@{domain}", Role.MODERATOR, "first moderator")
    async with chromium() as browser:
        bank = await member(browser, origin, "Banque alimentaire", "fr", size=PHONE)
        nadia = await member(browser, origin, "Nadia", "fr")
        for who, email in ((bank, "banque"), (nadia, "nadia")):
            await who.goto("/login")
            await log_in(who, f"{email}@{domain}")
            await who.page.wait_for_url(f"{origin}/")

        await bank.page.get_by_role("link", name="Réglages").click()
        await bank.page.get_by_role("link", name=re.compile("Demandez un badge vérifié")).click()
        await bank.page.get_by_label("Nom de l'organisation").fill("Banque alimentaire de Paris")
        await bank.page.get_by_label("Numéro d'immatriculation").fill("W751234567")
        await bank.page.get_by_label("Site web").fill("https://banque.example")
        await bank.page.get_by_label(re.compile("^Contact")).fill("accueil@banque.example")
        await bank.screen("organisation-apply")
        await bank.page.get_by_role("button", name="Envoyer la demande").click()
        await expect(
            bank.page.get_by_text("un modérateur va examiner votre demande")
        ).to_be_visible()

        await nadia.page.get_by_role("link", name="Modération").click()
        item = nadia.page.locator(".queue li").filter(has_text="Banque alimentaire de Paris")
        await expect(item).to_contain_text("immatriculation W751234567")
        await item.get_by_label("Motif (gardé dans le journal de modération)").fill("RNA vérifié")
        await item.get_by_role("button", name="Vérifier").click()
        await expect(nadia.page.get_by_text("Rien n'attend")).to_be_visible()

        await bank.page.reload()
        await expect(bank.page.get_by_text("est vérifiée : son badge")).to_be_visible()
        # Its badge, on its profile.
        await nadia.goto(f"/members/{bank_id}")
        await expect(nadia.page.get_by_text("organisation vérifiée")).to_be_visible()
        await expect(
            nadia.page.get_by_text("Association · Banque alimentaire de Paris")
        ).to_be_visible()
        await nadia.screen("profile-verified-organisation")

        # Its console (the partner role shows from its next log-in): an endpoint, a test
        # delivery that arrives signed, and a replay of it.
        await bank.page.get_by_role("button", name="Se déconnecter").click()
        await bank.goto("/login")
        await log_in(bank, f"banque@{domain}")
        await bank.page.wait_for_url(f"{origin}/")
        await bank.page.get_by_role("link", name="Console").click()
        await bank.page.get_by_label("Adresse (https)").fill(receiver.url)
        await bank.page.get_by_label("Description").fill("Notre tableau de bord")
        await bank.page.get_by_label("Logement").check()
        await bank.page.get_by_role("button", name="Créer le point de réception").click()
        await expect(bank.page.locator(".secret code")).to_contain_text("whsec_")
        endpoint = bank.page.locator(".queue li").filter(has_text=receiver.url)
        await endpoint.get_by_role("button", name="Envoyer un test").click()
        await wait_until(lambda: len(receiver.received) >= 1, 20, "the test delivery")
        await endpoint.get_by_role("button", name="Envois").click()
        row = endpoint.locator("tr").filter(has_text="webhook.test.v1")
        await expect(row).to_contain_text("livré", timeout=SLOW_MS)
        await bank.screen("partner-console")
        await row.get_by_role("button", name="Renvoyer à partir d'ici").click()
        await wait_until(lambda: len(receiver.received) >= 2, 20, "the replayed delivery")
        ids = {headers["webhook-id"] for headers, _, _ in receiver.received}
        assert len(ids) == 1  # the same message, sent again
        # What was resolved: no area reaches five yet, and the console says so.
        nothing_yet = bank.page.get_by_text("Aucune zone n'a encore atteint le seuil")
        await expect(nothing_yet).to_be_visible()

        # A request for Karim, who has no account; Nadia offers a room; the association
        # records Karim's answer, and Nadia's open page shows it at once.
        async with httpx.AsyncClient(base_url=system.url("posts"), timeout=10) as http:
            tokens = {}
            for email in ("banque", "nadia"):
                logged = await http.post("/auth/login", json={
                    "email": f"{email}@{domain}", "password": "correct horse battery"})  # fmt: skip
                tokens[email] = {"Authorization": f"Bearer {logged.json()['access_token']}"}
            karim = api_post("Un lit pour cette nuit", kind="request", category="housing",
                             on_behalf_of={"alias": "Karim", "consent": True})  # fmt: skip
            created = await http.post("/posts", json=karim, headers=tokens["banque"])
            assert created.status_code == 201, created.text
            post_id = created.json()["id"]
            offer = {"intent": "can_help", "body": "Une chambre libre ce soir, métro Jaurès"}
            offered = await http.post(f"/posts/{post_id}/replies", json=offer,
                                      headers=tokens["nadia"])  # fmt: skip
            assert offered.status_code == 201, offered.text
        await nadia.goto(f"/posts/{post_id}")
        await expect(nadia.page.get_by_text("pour Karim")).to_be_visible()
        await bank.goto(f"/posts/{post_id}")
        await bank.page.get_by_role("button", name="Karim accepte").click()
        await expect(bank.page.get_by_text("Acceptée par Karim")).to_be_visible()
        await expect(nadia.page.get_by_text("Acceptée par Karim")).to_be_visible(timeout=SLOW_MS)
        await expect(nadia.page.get_by_role("button", name="Karim accepte")).to_have_count(0)
        await bank.screen("offer-answered-for-a-person")
        assert bank.errors == [] and nadia.errors == []
