"""Optional e-mail notifications over SMTP (the standard library's smtplib).

Configured by the environment at the edge (:class:`matchmaker.config.Environment`: host, port,
sender, optional login and STARTTLS); with no host set, nothing is sent. A notification that cannot
be delivered is logged and reported as False, never raised: the proposal it announces is saved.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "isa-matchmaker@localhost"
    username: str = ""
    password: str = ""  # never logged
    starttls: bool = False
    timeout: float = 10.0

    def __repr__(self) -> str:  # keep the password out of logs and tracebacks
        return f"SmtpSettings(host={self.host!r}, port={self.port}, sender={self.sender!r}, starttls={self.starttls})"


class Notifier:
    """Sends one plain-text e-mail per call; ``settings`` None: a notifier that sends nothing."""

    def __init__(self, settings: SmtpSettings | None) -> None:
        self.settings = settings

    def send(self, to: str, subject: str, body: str) -> bool:
        """True when the server took the message; False when not configured, no address, or it failed."""
        settings = self.settings
        if settings is None or not settings.host or not to:
            return False
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = settings.sender, to, subject
        message.set_content(body)
        try:
            with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
                if settings.starttls:
                    smtp.starttls()
                if settings.username:
                    smtp.login(settings.username, settings.password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("notification to %s not sent (%s:%s): %s", to, settings.host, settings.port, exc)
            return False
        return True
