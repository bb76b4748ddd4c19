"""Two interchangeable ways to send a reminder e-mail: any SMTP relay, or GOV.UK Notify.

Which one, and its settings, come from the environment (see tracker.config and the README).
Both raise SendFailed with a message fit for the coordinator's page and the log.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Any, Protocol

SMTP_SECURITY = ("starttls", "ssl", "none")
NOTIFY_DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"
SEND_TIMEOUT_SECONDS = 20


class SendFailed(Exception):
    """The message did not go; the text says why (never a password or key)."""


@dataclass(frozen=True)
class ReminderEmail:
    to: str
    name: str
    subject: str
    body: str
    stage: str
    # What a GOV.UK Notify template can use as ((placeholders)).
    personalisation: Mapping[str, str | list[str]] = field(default_factory=dict)
    reference: str = ""


class Sender(Protocol):
    name: str

    def describe(self) -> str: ...

    def send(self, email: ReminderEmail) -> None: ...


class SmtpSender:
    name = "smtp"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: str,
        username: str,
        password: str,
        from_address: str,
        timeout: float = SEND_TIMEOUT_SECONDS,
    ) -> None:
        self.host, self.port, self.security = host, port, security
        self.username, self.password = username, password
        self.from_address, self.timeout = from_address, timeout

    def describe(self) -> str:
        return f"SMTP through {self.host}:{self.port} ({self.security}), from {self.from_address}"

    def send(self, email: ReminderEmail) -> None:
        message = EmailMessage()
        message["From"] = self.from_address
        message["To"] = formataddr((email.name, email.to))
        message["Subject"] = email.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.from_address.rpartition("@")[2] or None)
        message.set_content(email.body)
        try:
            client: smtplib.SMTP
            if self.security == "ssl":
                client = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.username:
                    client.login(self.username, self.password)
                client.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise SendFailed(f"SMTP {self.host}:{self.port}: {_smtp_reason(error)}") from error


class NotifySender:
    name = "notify"

    def __init__(
        self,
        *,
        api_key: str,
        template_ids: Mapping[str, str],
        base_url: str = NOTIFY_DEFAULT_BASE_URL,
        timeout: float = SEND_TIMEOUT_SECONDS,
    ) -> None:
        self.api_key, self.template_ids = api_key, dict(template_ids)
        self.base_url, self.timeout = base_url, timeout

    def describe(self) -> str:
        return f"GOV.UK Notify ({self.base_url})"

    def send(self, email: ReminderEmail) -> None:
        from notifications_python_client.errors import APIError
        from notifications_python_client.notifications import NotificationsAPIClient

        client = NotificationsAPIClient(self.api_key, base_url=self.base_url, timeout=self.timeout)
        try:
            client.send_email_notification(
                email_address=email.to,
                template_id=self.template_ids[email.stage],
                personalisation=dict(email.personalisation),
                reference=email.reference or None,
            )
        except APIError as error:
            raise SendFailed(f"GOV.UK Notify: {_one_line(error)}") from error


def _smtp_reason(error: BaseException) -> str:
    """The relay's own answer ("550 5.1.1 Mailbox unavailable"), not Python's repr of it."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = [
            f"{address} refused: {code} {_text(reply)}"
            for address, (code, reply) in error.recipients.items()
        ]
        return _one_line(Exception("; ".join(answers)))
    if isinstance(error, smtplib.SMTPResponseException):
        return _one_line(Exception(f"{error.smtp_code} {_text(error.smtp_error)}"))
    return _one_line(error)


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:300]


def sender_from_config(config: Mapping[str, Any]) -> Sender | None:
    """The sender the settings name, or None when no e-mail is configured."""
    kind = config.get("REMINDER_SENDER")
    if kind == "notify":
        return NotifySender(
            api_key=config["NOTIFY_API_KEY"],
            template_ids=config["NOTIFY_TEMPLATE_IDS"],
            base_url=config.get("NOTIFY_BASE_URL") or NOTIFY_DEFAULT_BASE_URL,
        )
    if kind == "smtp":
        return SmtpSender(
            host=config["SMTP_HOST"],
            port=config["SMTP_PORT"],
            security=config["SMTP_SECURITY"],
            username=config.get("SMTP_USERNAME", ""),
            password=config.get("SMTP_PASSWORD", ""),
            from_address=config["MAIL_FROM"],
        )
    return None
