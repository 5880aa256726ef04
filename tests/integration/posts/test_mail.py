"""Mail over real SMTP (the test's aiosmtpd server): the verification mail at
registration, and a password reset a member can finish from her mailbox."""

from __future__ import annotations

import re

from tests.integration.net import free_port
from tests.integration.posts.conftest import PASSWORD


def token_in(message, path: str) -> str:
    found = re.search(rf"{path}\?token=([A-Za-z0-9_-]+)", message.get_content())
    assert found, message.get_content()
    return found.group(1)


async def test_a_new_member_confirms_her_address_from_the_mail(posts, smtp):
    lea = await posts.member("lea", languages=["en"])
    mail = await smtp.wait_for(lea.email)
    assert mail["Subject"] == "Confirm your e-mail address"
    assert (await posts.client.get("/me", headers=lea.auth)).json()["email_verified"] is False
    token = token_in(mail, "/verify-email")
    assert (await posts.client.post("/auth/verify-email", json={"token": token})).status_code == 204
    assert (await posts.client.get("/me", headers=lea.auth)).json()["email_verified"] is True
    again = await posts.client.post("/auth/verify-email", json={"token": token})
    assert again.status_code == 422 and again.json()["detail"]["code"] == "link_expired"


async def test_a_forgotten_password_is_reset_from_the_mail_and_old_sessions_end(posts, smtp):
    c = posts.client
    lea = await posts.member("lea")
    await smtp.wait_for(lea.email)  # the welcome mail
    asked = await c.post("/auth/password-reset/request", json={"email": lea.email.upper()})
    assert asked.status_code == 202
    mail = await smtp.wait_for(lea.email, count=2)
    assert mail["Subject"] == "Choisir un nouveau mot de passe"  # her language: French
    token = token_in(mail, "/password-reset")
    old_session = c.cookies.get("entraide_refresh")
    new_password = "pale orange kettle drums"
    reset = await c.post(
        "/auth/password-reset", json={"token": token, "new_password": new_password}
    )
    assert reset.status_code == 204, reset.text
    c.cookies.set("entraide_refresh", old_session)
    assert (await c.post("/auth/refresh")).status_code == 401  # the session before: over
    old = await c.post("/auth/login", json={"email": lea.email, "password": PASSWORD})
    assert old.status_code == 401
    new = await c.post("/auth/login", json={"email": lea.email, "password": new_password})
    assert new.status_code == 200
    assert new.json()["account"]["email_verified"] is True  # the link came to her address
    other = {"token": token, "new_password": "another long phrase here"}
    twice = await c.post("/auth/password-reset", json=other)
    assert twice.status_code == 422 and twice.json()["detail"]["code"] == "link_expired"


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(posts, smtp):
    asked = await posts.client.post("/auth/password-reset/request",
                                    json={"email": "nobody@example.org"})  # fmt: skip
    assert asked.status_code == 202
    assert smtp.to("nobody@example.org") == []


async def test_with_the_mail_server_down_registration_stands_and_a_resend_says_retry(make_posts):
    posts = await make_posts(smtp_port=free_port())  # nothing listens there
    lea = await posts.member("lea")
    resend = await posts.client.post("/me/email/verification", headers=lea.auth)
    assert resend.status_code == 503 and "Retry-After" in resend.headers
