"""Mail to members: e-mail verification and password reset by one-use links."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from services.posts.domain.accounts import Account
from services.posts.domain.mail import MailToken, Purpose, compose, link_expired
from services.posts.domain.sessions import token_hash
from services.posts.ports import Clock, Limit, Limiter, Mailer, Passwords, Secrets, Store
from shared.contract.errors import Invalid, NotFound
from shared.contract.identity import Claims

log = logging.getLogger(__name__)

HOUR_S = 3600


@dataclass
class MailHandlers:
    store: Store
    mailer: Mailer
    passwords: Passwords
    limiter: Limiter
    clock: Clock
    secrets: Secrets
    # Where the links in the mail lead: the web client (the gateway).
    web_url: str
    resets_per_hour: int

    async def welcome(self, account: Account) -> bool:
        """The verification mail after a registration; False (logged) when the mail
        server is down: the account stands, and the member asks again from Settings."""
        try:
            await self._mail(account, Purpose.VERIFY)
        except ConnectionError as exc:
            log.warning("verification mail for %s not sent: %s", account.id, exc)
            return False
        return True

    async def send_verification(self, member: Claims) -> None:
        await self.limiter.hit(Limit("verify-mails", 5, HOUR_S), member.member_id)
        async with self.store.transaction() as uow:
            account = await uow.account(member.member_id)
        if account is None:
            raise NotFound("no such account", field="member_id")
        if account.email_verified_at is not None:
            raise Invalid("this address is already confirmed", field="email",
                          code="already_verified")  # fmt: skip
        await self._mail(account, Purpose.VERIFY)

    async def verify_email(self, token: str) -> None:
        now = self.clock()
        async with self.store.transaction() as uow:
            found = await self._spend(uow, token, Purpose.VERIFY)
            await uow.mark_email_verified(found.account_id, now)

    async def request_reset(self, email: str, address: str) -> Callable[[], Awaitable[None]]:
        """What to do after answering: mail a reset link if the address is a member's.
        The answer is the same either way, and comes before any mail is sent (nobody
        learns who is a member, by the answer or by its time); limited per address and
        per e-mail."""
        limit = Limit("reset-requests", self.resets_per_hour, HOUR_S)
        await self.limiter.hit(limit, address)
        await self.limiter.hit(limit, email.lower())

        async def send() -> None:
            async with self.store.transaction() as uow:
                account = await uow.account_by_email(email)
            if account is None:
                return
            try:
                await self._mail(account, Purpose.RESET)
            except ConnectionError as exc:
                log.warning("reset mail for %s not sent: %s", account.id, exc)

        return send

    async def reset_password(self, token: str, new_password: str) -> None:
        """A new password from a mailed link: every session ends (a thief's too)."""
        async with self.store.transaction() as uow:
            found = await uow.mail_token_for_update(token_hash(token))
            account = await uow.account(found.account_id) if found else None
        if account is None or found is None or found.purpose is not Purpose.RESET:
            raise link_expired()
        about = [account.email, account.profile.display_name]
        if await self.passwords.too_guessable(new_password, about):
            raise Invalid("this password is too easy to guess: a few unrelated words make "
                          "a strong one", field="new_password", code="weak_password")  # fmt: skip
        password_hash = await self.passwords.hash(new_password)
        now = self.clock()
        async with self.store.transaction() as uow:
            spent = await self._spend(uow, token, Purpose.RESET)
            await uow.spend_mail_tokens(spent.account_id, Purpose.RESET.value, now)
            await uow.save_password(spent.account_id, password_hash)
            await uow.revoke_sessions(spent.account_id, now)
            # The link came to her address: it is hers.
            await uow.mark_email_verified(spent.account_id, now)

    async def _mail(self, account: Account, purpose: Purpose) -> None:
        token = self.secrets()
        async with self.store.transaction() as uow:
            await uow.add_mail_token(
                MailToken.issue(token_hash(token), account.id, purpose, self.clock())
            )
        message = compose(purpose, account.profile.languages, account.profile.display_name,
                          self.web_url, token)  # fmt: skip
        await self.mailer.send(account.email, message.subject, message.text)

    async def _spend(self, uow, token: str, purpose: Purpose) -> MailToken:
        found = await uow.mail_token_for_update(token_hash(token))
        if found is None:
            raise link_expired()
        found.use(purpose, self.clock())
        await uow.save_mail_token(found)
        return found
