"""What the sub-commands of ``therapybridge`` share: the parser class, the
``@command(name)`` decorator and the table it fills (``COMMANDS``, read by
``cli.main``), ``iso_date`` for date arguments and ``in_one_session``, the
one database session a command's work runs in."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from datetime import date
from typing import TYPE_CHECKING, NoReturn, TypeVar

from settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

Command = Callable[[argparse.Namespace, Settings], int]
COMMANDS: dict[str, Command] = {}


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # one line, exit code 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def command(name: str) -> Callable[[Command], Command]:
    def register(fn: Command) -> Command:
        COMMANDS[name] = fn
        return fn

    return register


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date (YYYY-MM-DD): {value!r}"
        ) from None


async def in_one_session(
    settings: Settings, url: str, work: Callable[[AsyncSession], Awaitable[T]]
) -> T:
    """``work`` in one session on an engine of its own, committed once at its
    end; the engine is disposed either way."""
    from db.engine import create_engine, create_sessionmaker

    engine = create_engine(settings, url)
    try:
        async with create_sessionmaker(engine)() as db:
            result = await work(db)
            await db.commit()
            return result
    finally:
        await engine.dispose()
