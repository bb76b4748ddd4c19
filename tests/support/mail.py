"""A real SMTP server on loopback (aiosmtpd) for the reminder tests, and the app set up to
send through it."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from tests.support.postgres import free_port

PUBLIC_URL = "https://tracker.example.org"


class Relay:
    """An SMTP handler that keeps what it is given, and refuses addresses it is told to."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refused: set[str] = set()
        self.port = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["To"]]

    def app_settings(self) -> dict[str, object]:
        return {
            "REMINDER_SENDER": "smtp",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": self.port,
            "SMTP_SECURITY": "none",
            "MAIL_FROM": "Action plan tracker <tracker@example.org>",
            "PUBLIC_URL": PUBLIC_URL,
        }


@pytest.fixture
def relay() -> Iterator[Relay]:
    handler = Relay()
    handler.port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def app_sending_mail(database_url, tmp_path, relay: Relay):
    """The app set up to send reminders through the relay; a module that wants it as its
    `app` says so in a one-line fixture."""
    from tests.conftest import make_app
    from tracker.extensions import db

    application = make_app(database_url, tmp_path / "instance", **relay.app_settings())
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
