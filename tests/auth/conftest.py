"""Auth fixtures: a real SMTP server (aiosmtpd) and an app on a committed database.

The shared ``client`` fixture runs each test inside one rolled-back transaction,
so writes made "in their own transaction" (rate-limit counters, login attempts,
a revoked refresh-token family) are nested in the request's savepoint there and
vanish with a failed mutation. Tests of that durability use ``committed``: an
app on a fresh, migrated database with a real engine, where commits are real.
"""

from __future__ import annotations

import asyncio
import email
import itertools
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app import create_app
from db.engine import create_engine, create_sessionmaker
from db.runtime import migrate
from services import mail
from settings import Settings
from tests.auth.practice_world import Clinic, make_clinic
from tests.conftest import GQL
from tests.e2e.server import free_port
from tests.pg import PgServer

_ips = itertools.count(1)


@dataclass
class Mailbox:
    """What the SMTP server received."""

    port: int = 0
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    async def wait_for(self, to: str) -> Message:
        """The first message to ``to``, waiting (10 s) for the background sender."""
        for _ in range(200):
            for m in self.messages:
                if m["To"] == to:
                    return m
            await asyncio.sleep(0.05)
        raise AssertionError(f"no mail to {to}")

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


def body_of(message: Message, subtype: str = "plain") -> str:
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    raise AssertionError(f"no text/{subtype} part")


def token_in(message: Message) -> str:
    found = re.search(r"/verify-email\?token=([A-Za-z0-9_\-]+)", body_of(message))
    assert found, "no verification link in the mail"
    return found.group(1)


@pytest.fixture(scope="session")
def smtp() -> Iterator[Mailbox]:
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def mail_settings(settings: Settings, smtp: Mailbox) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "frontend_url": "https://app.example.com",
        }
    )


@pytest.fixture
def client_ip() -> str:
    """A distinct client address per test: per-IP limits stay within a test."""
    n = next(_ips)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


@pytest.fixture
async def mail_gql(
    mail_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    client_ip: str,
) -> AsyncIterator[GQL]:
    app = create_app(mail_settings, session_factory=session_factory)
    transport = httpx.ASGITransport(app=app, client=(client_ip, 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield GQL(c)
    await mail.drain()


@pytest.fixture
async def other_gql(
    mail_settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[GQL]:
    """Like ``mail_gql`` on the same data, from another client address."""
    app = create_app(mail_settings, session_factory=session_factory)
    ip = f"192.0.2.{next(_ips) % 250 + 1}"
    transport = httpx.ASGITransport(app=app, client=(ip, 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield GQL(c)


@pytest.fixture(scope="module")
def committed_url(pg: PgServer) -> str:
    url = pg.create_database("tb_auth")
    migrate(url)
    return url


@pytest.fixture(scope="module")
async def committed_engine(committed_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(Settings(environment="test"), committed_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def committed_factory(
    committed_engine: AsyncEngine,
) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(committed_engine)


@pytest.fixture
async def committed(
    mail_settings: Settings,
    committed_factory: async_sessionmaker[AsyncSession],
    client_ip: str,
) -> AsyncIterator[GQL]:
    app = create_app(mail_settings, session_factory=committed_factory)
    transport = httpx.ASGITransport(app=app, client=(client_ip, 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield GQL(c)
    await mail.drain()


def seconds_left_in_window(window: int) -> float:
    return window - time.time() % window


async def fresh_window(window: int = 60, margin: float = 15) -> None:
    """Wait for a new fixed window if this one ends within ``margin`` seconds,
    so a burst of attempts is not split by a window boundary (no flaky counts).
    """
    left = seconds_left_in_window(window)
    if left < margin:
        await asyncio.sleep(left + 0.1)


@pytest.fixture
async def clinics(db: AsyncSession) -> tuple[Clinic, Clinic]:
    """Practices A and B (tests/auth/practice_world.py)."""
    return await make_clinic(db, "Practice A"), await make_clinic(db, "Practice B")
