"""The member's journeys of ``product.md`` (1, 2, 4 and 5) in Debian's Chromium, against
the whole system as `entraide up` runs it: the web client the gateway serves, the four
services, real Kafka, PostgreSQL and Redis.

- the loop: register, post with a place picked by name, another member sees it live with
  the author's name, a matching offer, the match and its reasons in French, open the
  offer, reply, resolve with who helped;
- a session that outlives its access token (4 s here), a night offline (20 s), the
  language toggle mid-session, a session revoked elsewhere (the draft is kept);
- a phone (390 px) and a keyboard;
- axe-core on every screen: no serious or critical violation.

Screenshots of every screen, at phone and laptop sizes, go to test-artifacts/screens/, or
to docs/screens/ with ``make screens``.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.async_api import Browser, Page, async_playwright, expect

from shared.contract.identity import Role
from shared.runtime.auth import KeyRing
from shared.runtime.settings import PROJECT_ROOT
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.conftest import System
from tests.integration.kafka_tools import wait_until

WEB = PROJECT_ROOT / "services" / "gateway" / "web"
AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = (
    PROJECT_ROOT / ("docs" if os.environ.get("ENTRAIDE_SCREENS") else "test-artifacts") / "screens"
)
FAILED = PROJECT_ROOT / "test-artifacts" / "failed"
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery"
# Expectations wait this long: a match crosses three services and Kafka twice.
SLOW_MS = 30_000
SERVICES = ("posts", "matching", "notifications", "gateway")


@pytest.fixture(autouse=True)
def _the_client_is_built() -> None:
    # Not a skip: `make test` builds it first, and a journey without a client is a failure.
    assert (WEB / "dist" / "index.html").exists(), "the web client is not built: run `make web`"
    assert AXE.exists(), "axe-core is not installed: run `make web`"


async def start(system: System, **env: str) -> str:
    system.env.update(env)
    for name in SERVICES:
        await asyncio.to_thread(system.start, name, system.ports.get(name))
    return f"http://127.0.0.1:{system.ports['gateway']}"


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """The browser; when a step fails, a screenshot of every page it holds goes to
    test-artifacts/failed/ (what the member saw at that moment)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        except BaseException:
            FAILED.mkdir(parents=True, exist_ok=True)
            for c, context in enumerate(browser.contexts):
                for p, page in enumerate(context.pages):
                    with contextlib.suppress(Exception):
                        await page.screenshot(path=FAILED / f"{c}-{p}.png", full_page=True)
            raise
        finally:
            await browser.close()


class Member:
    """One person in one browser: her page, and what went wrong on it (console errors,
    a Content-Security-Policy violation, a failed request), checked at the end."""

    def __init__(self, page: Page, origin: str, name: str, size: str) -> None:
        self.page, self.origin, self.name, self.size = page, origin, name, size
        self.errors: list[str] = []
        self.refreshes = 0
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("request", self._request)
        page.on("response", self._response)

    def _console(self, message) -> None:
        # Expected: the browser's own line for a request that failed while offline, and
        # for a 401 (each is checked by _response: only /auth/refresh may answer one).
        expected = ("ERR_INTERNET_DISCONNECTED", "status of 401")
        if message.type == "error" and not any(e in message.text for e in expected):
            self.errors.append(f"console: {message.text}")

    def _response(self, response) -> None:
        # A visitor with no session, or one revoked elsewhere, is told so by a 401 of
        # /auth/refresh; a 401 anywhere else is a request sent with a dead token.
        if response.status == 401 and not response.url.endswith("/auth/refresh"):
            self.errors.append(f"401 from {response.url}")
        if response.status >= 500:
            self.errors.append(f"{response.status} from {response.url}")

    def _request(self, request) -> None:
        if request.url.endswith("/auth/refresh"):
            self.refreshes += 1

    async def goto(self, path: str) -> None:
        await self.page.goto(self.origin + path)

    async def screen(self, name: str) -> None:
        """A screenshot of the screen, and axe-core's verdict on it."""
        SCREENS.mkdir(parents=True, exist_ok=True)
        await self.page.wait_for_load_state("networkidle")
        await self.page.screenshot(path=SCREENS / f"{name}-{self.size}.png", full_page=True)
        await assert_accessible(self.page, name)

    async def live(self, words: str) -> None:
        await expect(self.page.get_by_role("status").filter(has_text=words)).to_be_visible(
            timeout=SLOW_MS
        )


async def member(browser: Browser, origin: str, name: str, lang: str, size=LAPTOP) -> Member:
    locale = {"fr": "fr-FR", "en": "en-GB"}[lang]
    context = await browser.new_context(
        locale=locale,
        viewport=size,
        geolocation={"latitude": 48.8937, "longitude": 2.3934},
        permissions=["geolocation"],
    )
    page = await context.new_page()
    page.set_default_timeout(15_000)
    return Member(page, origin, name, "phone" if size == PHONE else "laptop")


async def assert_accessible(page: Page, screen: str) -> None:
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluate() is not bound by the page's Content-Security-Policy (no inline script).
        await page.evaluate(AXE.read_text())
    result = await page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map("
        "v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})))"
    )
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{screen}: {serious}"


async def register(who: Member, email: str, then: str = "/") -> None:
    await who.goto(f"/register?next={then}")
    await expect(who.page.get_by_role("heading", level=1)).to_be_visible()
    t = TEXT[await who.page.evaluate("document.documentElement.lang")]
    await who.page.get_by_label(t["name"]).fill(who.name)
    await who.page.get_by_label(t["email"], exact=True).fill(email)
    await who.page.get_by_label(t["password"], exact=True).fill(PASSWORD)
    await who.page.get_by_role("button", name=t["register"]).click()


async def log_in(who: Member, email: str, password: str = PASSWORD) -> None:
    t = TEXT[await who.page.evaluate("document.documentElement.lang")]
    await who.page.get_by_label(t["email"], exact=True).fill(email)
    await who.page.get_by_label(t["password"], exact=True).fill(password)
    await who.page.locator("form").get_by_role("button", name=t["log_in"]).click()


async def tab_to(page: Page, target, back: bool = False, most: int = 60) -> None:
    """Press Tab (or Shift+Tab) until ``target`` has the focus, as a keyboard user would."""
    for _ in range(most):
        if await target.evaluate("element => element === document.activeElement"):
            return
        await page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"{target} never got the focus with the keyboard")


async def pick_place(page: Page, typed: str, region: str) -> None:
    box = page.locator("input[role=combobox]")
    await box.fill(typed)
    await page.get_by_role("option").filter(has_text=region).first.click()


TEXT = {
    "fr": {"name": "Nom affiché aux autres", "email": "E-mail", "password": "Mot de passe",
           "register": "Créer un compte", "log_in": "Se connecter"},
    "en": {"name": "Name shown to others", "email": "E-mail", "password": "Password",
           "register": "Create an account", "log_in": "Log in"},
}  # fmt: skip


async def write_post(page: Page, kind: str, category: str, title: str, body: str) -> None:
    await page.get_by_role("radio", name=kind).check()
    await page.get_by_label(re.compile("^(Catégorie|Category)$")).select_option(category)
    await page.get_by_label(re.compile("^(Titre|Title)$")).fill(title)
    await page.get_by_label(re.compile("^(Détails|Details)$")).fill(body)
    await pick_place(page, "Paris", "Île-de-France")


def a_photo() -> bytes:
    """A small JPEG, made here (Pillow), as a phone would send it."""
    out = io.BytesIO()
    Image.new("RGB", (900, 600), (40, 90, 160)).save(out, "JPEG", quality=85)
    return out.getvalue()


def api_post(title: str, kind: str = "offer", **fields) -> dict:
    return {"kind": kind, "category": "goods", "title": title, "language": "fr",
            "body": "", "location": {"lat": 48.8566, "lon": 2.3522}, **fields}  # fmt: skip


async def api_member(
    system: System, http: httpx.AsyncClient, name: str, domain: str
) -> dict[str, str]:
    """Another member, posting through the API: a token of an hour, signed with the
    service's key as the demo loader does (the test's own tokens may live 8 s)."""
    body = {"email": f"{name}@{domain}", "password": PASSWORD, "display_name": name}
    registered = await http.post("/auth/register", json=body)
    assert registered.status_code == 201, registered.text
    signer = KeyRing(Path(system.env["ENTRAIDE_KEYS_DIR"])).signer()
    token = signer.issue(registered.json()["id"], Role.MEMBER, ttl_s=3600, name=name)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.timeout(300)
async def test_the_loop_from_a_request_to_resolved_with_who_helped(system, unique):
    origin = await start(system)
    domain = f"{unique}.example.org"
    async with chromium() as browser:
        amine = await member(browser, origin, "Amine", "fr")
        lea = await member(browser, origin, "Léa", "en")

        await lea.goto("/")
        await lea.live("live")
        await lea.screen("feed-empty")

        # Amine registers, and lands on the form he came for.
        await amine.goto("/login?next=/new")
        await amine.screen("login")
        await register(amine, f"amine@{domain}", then="/new")
        await amine.page.wait_for_url(f"{origin}/new")
        # Required fields say so, in French, next to each, before anything is sent.
        await amine.page.get_by_role("button", name="Publier").click()
        no_place = "Choisissez un lieu par son nom, ou utilisez votre position."
        for sentence in ("Choisissez une catégorie.", "Obligatoire.", no_place):
            await expect(amine.page.get_by_text(sentence).first).to_be_visible()
        await amine.screen("new-post-problems")
        await write_post(
            amine.page, "J'ai besoin de quelque chose (une demande)", "tickets_events",
            "Cherche deux places pour le concert de samedi",
            "Au prix d'achat, pour mon frère et moi, à la Villette.",
        )  # fmt: skip
        await expect(amine.page.get_by_text("Paris", exact=True)).to_be_visible()
        await amine.screen("new-post")
        posted_at = time.monotonic()
        await amine.page.get_by_role("button", name="Publier").click()
        await amine.page.wait_for_url(re.compile(r"/posts/\w+$"))
        request_path = amine.page.url.removeprefix(origin)

        # Léa sees it arrive live, with its author's name.
        card = lea.page.locator("article").filter(has_text="Cherche deux places")
        await expect(card).to_be_visible(timeout=SLOW_MS)
        live_s = time.monotonic() - posted_at
        await expect(card).to_contain_text("Amine")
        await lea.screen("feed")

        # Léa logs in and offers what he asks for.
        await lea.page.get_by_role("link", name="Log in").click()
        await lea.page.get_by_role("link", name="Create an account").click()
        await lea.screen("register")
        await register(lea, f"lea@{domain}", then="/new")
        await lea.page.wait_for_url(f"{origin}/new")
        await write_post(
            lea.page, "I can give or lend something (an offer)", "tickets_events",
            "Deux places concert samedi, prix d'achat", "Deux places assises pour samedi soir.",
        )  # fmt: skip
        await lea.page.get_by_role("button", name="Publish").click()
        await lea.page.wait_for_url(re.compile(r"/posts/\w+$"))
        offer_path = lea.page.url.removeprefix(origin)

        # Amine hears of the match; the notification, in French, opens the offer.
        badge = amine.page.locator("header .badge")
        await expect(badge).to_have_text("1", timeout=SLOW_MS)
        await amine.page.get_by_role("link", name=re.compile("^Notifications")).click()
        notice = amine.page.get_by_role("link", name=re.compile(
            "Une proposition correspond à votre demande : Deux places concert samedi"))  # fmt: skip
        await expect(notice).to_be_visible()
        await amine.screen("notifications")
        await notice.click()
        await amine.page.wait_for_url(origin + offer_path)
        await expect(badge).to_have_count(0)  # opening it marked it read
        await amine.page.get_by_label("Votre réponse").fill("Je suis preneur, je passe ce soir ?")
        await amine.page.get_by_role("button", name="Répondre", exact=True).click()
        mine = amine.page.locator(".thread li").filter(has_text="Je suis preneur")
        await expect(mine).to_contain_text("Amine")  # his own reply, named at once
        await amine.screen("post")

        # Léa sees his reply live, named, then offers her help on his request.
        await expect(
            lea.page.locator(".thread li").filter(has_text="Je suis preneur")
        ).to_contain_text("Amine", timeout=SLOW_MS)
        await lea.goto(request_path)
        await lea.page.get_by_label("Your reply").fill("Yes, they are yours: tonight at 8?")
        await lea.page.get_by_role("button", name="I can help").click()
        await expect(lea.page.locator(".thread li.can-help")).to_contain_text("Léa")

        # On his own request: the match with its reasons, in French; then resolved.
        await amine.page.get_by_role("link", name="Mes annonces").click()
        await amine.screen("my-posts")
        await amine.page.get_by_role(
            "link", name="Cherche deux places pour le concert de samedi"
        ).click()
        reasons = amine.page.get_by_role("list", name="Pourquoi elles correspondent")
        await expect(reasons).to_contain_text(
            "Même catégorie : Billets et sorties", timeout=SLOW_MS
        )
        await expect(reasons).to_contain_text("« concert »")
        await expect(amine.page.locator(".thread li.can-help")).to_contain_text("Léa")
        await amine.screen("post-mine")
        await amine.page.get_by_role("button", name="Marquer comme résolue").click()
        await amine.page.get_by_role("checkbox", name="Léa").check()
        await amine.screen("resolve")
        await (
            amine.page.locator("form.resolve")
            .get_by_role("button", name="Marquer comme résolue")
            .click()
        )
        await expect(amine.page.locator(".status-tag")).to_have_text("résolue")

        # Who helped, from the thread: Léa's public profile counts it.
        await amine.page.locator(".thread li.can-help").get_by_role("link", name="Léa").click()
        await expect(amine.page.get_by_role("heading", level=1)).to_have_text("Léa")
        await expect(amine.page.get_by_text("A aidé 1 personne")).to_be_visible()
        await amine.screen("profile")

        await amine.page.get_by_role("link", name="Réglages").click()
        await expect(amine.page.get_by_text("Si vous dites oui")).to_be_visible()
        await amine.screen("settings")

        # Léa reads all her notifications at once, edits her offer, then withdraws it.
        await lea.page.get_by_role("link", name=re.compile("^Notifications")).click()
        await expect(lea.page.locator(".inbox li.unread").first).to_be_visible(timeout=SLOW_MS)
        await lea.page.get_by_role("button", name="Mark all as read").click()
        await expect(lea.page.locator(".inbox li.unread")).to_have_count(0)
        await expect(lea.page.locator("header .badge")).to_have_count(0)
        await lea.goto(offer_path)
        await lea.page.get_by_role("button", name="Edit").click()
        await lea.page.get_by_label("Title").fill("Deux places concert samedi, vendues")
        await lea.page.get_by_role("button", name="Save").click()
        await expect(lea.page.get_by_role("heading", level=1)).to_have_text(
            "Deux places concert samedi, vendues"
        )
        # A photo of the tickets: shown on the offer (re-encoded, tested in integration).
        await lea.page.get_by_label("Add a photo").set_input_files(
            {"name": "tickets.jpg", "mimeType": "image/jpeg", "buffer": a_photo()}
        )
        await expect(lea.page.locator(".photos img")).to_have_count(1, timeout=SLOW_MS)
        await expect(lea.page.locator(".photos img")).to_have_js_property("complete", True)
        assert await lea.page.locator(".photos img").evaluate("img => img.naturalWidth") > 0
        await lea.screen("post-with-photo")
        await lea.page.get_by_role("button", name="Withdraw").click()
        await lea.page.get_by_role("group").get_by_role("button", name="Withdraw").click()
        await expect(lea.page.locator(".status-tag")).to_have_text("withdrawn")
        for who in (amine, lea):
            assert who.errors == [], who.errors

    # What the member saw is what the system holds.
    http = httpx.AsyncClient(base_url=system.url("posts"), timeout=10)
    request = (await http.get("/posts/" + request_path.rsplit("/", 1)[1])).json()
    replies = (await http.get(f"/posts/{request['id']}/replies")).json()["items"]
    assert request["status"] == "resolved" and request["outcome"] == "helped"
    assert request["helped_by"] == [r["author"]["id"] for r in replies if r["intent"] == "can_help"]
    print(f"\na post reached another browser live in {live_s:.2f} s (click to card)")


@pytest.mark.timeout(300)
async def test_a_session_outlives_its_token_a_night_offline_and_the_language_toggle(system, unique):
    # Access tokens of 8 s: the client renews before expiry (after 5 s, its shortest wait)
    # as it would after 14 min, and the gateway closes each socket when its token expires.
    origin = await start(system, ENTRAIDE_ACCESS_TOKEN_TTL_S="8")
    domain = f"{unique}.example.org"
    http = httpx.AsyncClient(base_url=system.url("posts"), timeout=10)
    other = await api_member(system, http, "sam", domain)
    async with chromium() as browser:
        lea = await member(browser, origin, "Léa", "fr")
        await register(lea, f"lea@{domain}", then="/me/notifications")
        await lea.page.wait_for_url(f"{origin}/me/notifications")
        await lea.goto("/")
        await lea.live("en direct")

        # Three access tokens' lives: the feed stays live, the inbox answers.
        await wait_until(lambda: lea.refreshes >= 3, 60, "three renewals")
        created = await http.post("/posts", headers=other, json=api_post("Un vélo à prêter"))
        assert created.status_code == 201
        await expect(lea.page.get_by_text("Un vélo à prêter")).to_be_visible(timeout=SLOW_MS)
        await lea.page.get_by_role("link", name="Notifications").click()
        await expect(lea.page.get_by_text("Aucune notification pour l'instant.")).to_be_visible()

        # Offline for 20 s while three posts are made; back online, each shows once.
        await lea.goto("/")
        await lea.live("en direct")
        await lea.page.context.set_offline(True)
        await lea.live("hors ligne")
        missed = [f"Manqué pendant la coupure {n}" for n in range(3)]
        for title in missed:
            assert (
                await http.post("/posts", headers=other, json=api_post(title))
            ).status_code == 201
        await asyncio.sleep(20)
        await lea.page.context.set_offline(False)
        await lea.live("en direct")
        for title in missed:
            await expect(lea.page.get_by_text(title, exact=True)).to_have_count(1, timeout=SLOW_MS)
        await lea.screen("feed-after-offline")

        # The language changes; the connection does not.
        await lea.page.get_by_role("button", name="English", exact=True).click()
        await lea.live("live")
        await expect(lea.page.get_by_role("heading", level=1)).to_have_text("Requests and offers")
        late = await http.post("/posts", headers=other, json=api_post("Sofa to give away"))
        assert late.status_code == 201
        await expect(lea.page.get_by_text("Sofa to give away", exact=True)).to_have_count(
            1, timeout=SLOW_MS
        )
        for title in [*missed, "Un vélo à prêter"]:
            await expect(lea.page.get_by_text(title, exact=True)).to_have_count(1)

        # A reload keeps the session (weeks long: the refresh cookie).
        await lea.page.reload()
        await expect(lea.page.get_by_role("button", name="Log out")).to_be_visible()

        # Her password changed elsewhere: every session ends. Her draft waits for her.
        elsewhere = httpx.AsyncClient(base_url=system.url("posts"), timeout=10)
        login = await elsewhere.post(
            "/auth/login", json={"email": f"lea@{domain}", "password": PASSWORD}
        )
        change = {"current_password": PASSWORD, "new_password": "a brand new secret"}
        changed = await elsewhere.post(
            "/me/password",
            json=change,
            headers={"Authorization": f"Bearer {login.json()['access_token']}"},
        )
        assert changed.status_code == 200, changed.text
        await lea.page.get_by_role("link", name="Ask or offer").click()
        await expect(lea.page.get_by_role("link", name="Log in")).to_be_visible(timeout=SLOW_MS)
        await write_post(lea.page, "I need something (a request)", "housing",
                         "A bed for tonight", "For a friend, one night.")  # fmt: skip
        await lea.page.get_by_role("button", name="Publish").click()
        await lea.page.wait_for_url(re.compile(r"/login\?next=(/|%2F)new$"))
        await log_in(lea, f"lea@{domain}", "a brand new secret")
        await lea.page.wait_for_url(f"{origin}/new")
        await expect(lea.page.get_by_label("Title")).to_have_value("A bed for tonight")
        await expect(lea.page.get_by_label("Details")).to_have_value("For a friend, one night.")
        assert lea.errors == [], lea.errors


@pytest.mark.timeout(300)
async def test_a_phone_and_a_keyboard(system, unique):
    origin = await start(system)
    domain = f"{unique}.example.org"
    http = httpx.AsyncClient(base_url=system.url("posts"), timeout=10)
    other = await api_member(system, http, "sam", domain)
    titles = [f"Annonce numéro {n}, avec un titre assez long pour un téléphone" for n in range(6)]
    for title in titles:
        assert (await http.post("/posts", headers=other, json=api_post(title))).status_code == 201
    async with chromium() as browser:
        noe = await member(browser, origin, "Noé", "fr", size=PHONE)
        await register(noe, f"noe@{domain}")
        await noe.page.wait_for_url(re.compile("/settings"))
        await noe.screen("settings")
        for path, name in (("/", "feed"), ("/new", "new-post"), ("/me/posts", "my-posts"),
                           ("/me/notifications", "notifications")):  # fmt: skip
            await noe.goto(path)
            await expect(noe.page.get_by_role("heading", level=1)).to_be_visible()
            assert (
                await noe.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            ), path
            await noe.screen(name)
        # Every control is on screen: the log-out button too.
        box = await noe.page.get_by_role("button", name="Se déconnecter").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        # A tapped post opens as its own view, at its top.
        await noe.goto("/")
        await noe.page.get_by_role("link", name=titles[0]).click()
        await noe.page.wait_for_url(re.compile(r"/posts/\w+$"))
        assert await noe.page.evaluate("window.scrollY") == 0
        await expect(noe.page.get_by_role("heading", level=1)).to_have_text(titles[0])
        assert await noe.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        await noe.screen("post")
        await noe.page.get_by_role("button", name="Se déconnecter").click()
        await noe.goto("/login")
        await noe.screen("login")
        await noe.goto("/register")
        await noe.screen("register")

        # Keyboard only: every post of the feed is reached with Tab, one is opened with
        # Enter, and a reply is written and sent without a mouse.
        ines = await member(browser, origin, "Inès", "fr")
        await register(ines, f"ines@{domain}")
        await ines.page.wait_for_url(re.compile("/settings"))
        await ines.goto("/")
        await ines.live("en direct")
        reached: list[str] = []
        for _ in range(80):
            await ines.page.keyboard.press("Tab")
            reached.append(await ines.page.evaluate("document.activeElement.textContent"))
        assert all(title in reached for title in titles), reached
        for _ in range(120):
            if await ines.page.evaluate("document.activeElement.textContent") == titles[2]:
                break
            await ines.page.keyboard.press("Shift+Tab")
        await ines.page.keyboard.press("Enter")
        await expect(ines.page.get_by_role("heading", level=1)).to_have_text(titles[2])
        await tab_to(ines.page, ines.page.get_by_label("Votre réponse"))
        await ines.page.keyboard.type("Toujours disponible ?")
        await ines.page.keyboard.press("Tab")
        await ines.page.keyboard.press("Enter")
        await expect(ines.page.locator(".thread li")).to_contain_text("Toujours disponible ?")
        # And she reports it, still without a mouse.
        await tab_to(ines.page, ines.page.get_by_role("button", name="Signaler cette annonce"))
        await ines.page.keyboard.press("Enter")
        await tab_to(ines.page, ines.page.get_by_label("Quel est le problème ?"), back=True)
        await ines.page.keyboard.type("Doublon d'une autre annonce.")
        await tab_to(ines.page, ines.page.get_by_role("button", name="Envoyer le signalement"))
        await ines.page.keyboard.press("Enter")
        await expect(ines.page.get_by_text("Merci : un modérateur va la regarder.")).to_be_visible()
        for who in (noe, ines):
            assert who.errors == [], who.errors
