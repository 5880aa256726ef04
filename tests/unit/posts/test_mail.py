"""E-mail verification and password reset through fakes of the posts ports: the link
works once, before it expires, for its purpose only; a reset ends every session; nobody
learns from the answer whether an address is a member's."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from services.posts.domain.sessions import token_hash
from services.posts.handlers import Handlers, MailHandlers
from shared.contract.errors import Invalid, RateLimited
from shared.contract.identity import Claims, Role
from tests.factories import NOW
from tests.fakes.posts import FakeClock, FakeMailer
from tests.unit.posts.test_handlers import make_handlers, member

WEB = "https://entraide.example"


@pytest.fixture
def posts() -> Handlers:
    return make_handlers()


@pytest.fixture
def mail(posts: Handlers) -> MailHandlers:
    return MailHandlers(store=posts.store, mailer=FakeMailer(), passwords=posts.passwords,
                        limiter=posts.limiter, clock=FakeClock(NOW), secrets=posts.secrets,
                        web_url=WEB, resets_per_hour=3)  # fmt: skip


def link_of(mail: MailHandlers, path: str) -> str:
    text = mail.mailer.sent[-1][2]
    found = re.search(rf"{re.escape(WEB)}{path}\?token=([A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


async def test_the_welcome_mail_confirms_the_address_once(posts, mail):
    lea = await member(posts, "lea")
    account = posts.store.memory.accounts[lea.member_id]
    assert await mail.welcome(account)
    to, subject, _ = mail.mailer.sent[-1]
    assert to == "lea@example.org" and subject == "Confirmez votre adresse e-mail"
    token = link_of(mail, "/verify-email")
    await mail.verify_email(token)
    assert posts.store.memory.accounts[lea.member_id].email_verified_at == NOW
    with pytest.raises(Invalid) as again:
        await mail.verify_email(token)
    assert again.value.code == "link_expired"
    with pytest.raises(Invalid) as already:
        await mail.send_verification(lea)
    assert already.value.code == "already_verified"


async def test_a_welcome_mail_the_server_refuses_leaves_the_account_standing(posts, mail):
    lea = await member(posts, "lea")
    mail.mailer.down = True
    assert not await mail.welcome(posts.store.memory.accounts[lea.member_id])
    with pytest.raises(ConnectionError):  # asked again from Settings: a 503, retried
        await mail.send_verification(lea)


async def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(posts, mail):
    await member(posts, "lea")
    await posts.log_in("lea@example.org", "a long password", "10.0.0.1")
    await (await mail.request_reset("LEA@example.org", "10.0.0.1"))()
    token = link_of(mail, "/password-reset")
    with pytest.raises(Invalid) as weak:
        await mail.reset_password(token, "lea@example.org")
    assert weak.value.code == "weak_password"
    await mail.reset_password(token, "pale orange kettle drums")
    assert all(t.revoked_at for t in posts.store.memory.refresh_tokens.values())
    await posts.log_in("lea@example.org", "pale orange kettle drums", "10.0.0.1")
    with pytest.raises(Invalid):  # used once
        await mail.reset_password(token, "another fine long phrase")
    # A verification link is no reset link.
    sam = await member(posts, "sam")
    await mail.send_verification(Claims(sam.member_id, Role.MEMBER, 0, "sam"))
    with pytest.raises(Invalid):
        await mail.reset_password(link_of(mail, "/verify-email"), "another fine long phrase")


async def test_an_expired_reset_link_is_refused(posts, mail):
    await member(posts, "lea")
    await (await mail.request_reset("lea@example.org", "10.0.0.1"))()
    token = link_of(mail, "/password-reset")
    mail.clock.now += timedelta(hours=1, seconds=1)
    with pytest.raises(Invalid) as expired:
        await mail.reset_password(token, "pale orange kettle drums")
    assert expired.value.code == "link_expired"
    assert posts.store.memory.mail_tokens[token_hash(token)].used_at is None


async def test_a_used_reset_link_spends_the_others_and_a_refused_mail_is_only_logged(posts, mail):
    await member(posts, "lea")
    for _ in range(2):
        await (await mail.request_reset("lea@example.org", "10.0.0.1"))()
    first = link_of(mail, "/password-reset")
    older = re.findall(r"token=([A-Za-z0-9_-]+)", mail.mailer.sent[-2][2])[0]
    await mail.reset_password(first, "pale orange kettle drums")
    with pytest.raises(Invalid):
        await mail.reset_password(older, "another fine long phrase")
    mail.mailer.down = True
    await (await mail.request_reset("lea@example.org", "10.0.0.1"))()  # no error: logged


async def test_a_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(posts, mail):
    await (await mail.request_reset("nobody@example.org", "10.0.0.2"))()
    assert mail.mailer.sent == []
    for _ in range(2):
        await (await mail.request_reset("nobody@example.org", "10.0.0.2"))()
    with pytest.raises(RateLimited):  # 3 an hour in this test, per address and e-mail
        await (await mail.request_reset("nobody@example.org", "10.0.0.2"))()
