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
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(text)
        try:
            await aiosmtplib.send(
                message, hostname=self.host, port=self.port, timeout=SMTP_TIMEOUT_S
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            # The web layer answers 503 with Retry-After (nothing was half done).
            raise ConnectionError(f"the mail server did not take the message: {exc}") from exc
