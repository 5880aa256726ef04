"""Mail through SMTP (aiosmtplib): the local aiosmtpd server, or any relay."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

SMTP_TIMEOUT_S = 10.0


class SmtpMailer:
    def __init__(self, host: str, port: int, sender: str) -> None:
        self.host, self.port, self.sender = host, port, sender

    async def send(self, to: str, subject: str, text: str) -> None:
        message = EmailMessage()
        try:
            message["From"], message["To"], message["Subject"] = self.sender, to, subject
        except ValueError as exc:
            # An address the API took but a mail header cannot carry (a control
            # character): it cannot be mailed, as if the server had refused it.
            raise ConnectionError(f"this address cannot be mailed: {exc}") from exc
        message.set_content(text)
        try:
            await aiosmtplib.send(
                message, hostname=self.host, port=self.port, timeout=SMTP_TIMEOUT_S
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            # The web layer answers 503 with Retry-After (nothing was half done).
            raise ConnectionError(f"the mail server did not take the message: {exc}") from exc
        except ValueError as exc:  # an address SMTP cannot carry (aiosmtplib checks it)
            raise ConnectionError(f"this address cannot be mailed: {exc}") from exc
