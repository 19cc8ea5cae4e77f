"""The sub-command registry of the ``therapybridge`` command: the parser
class, the ``@command(name)`` decorator and the table it fills (``COMMANDS``,
read by ``cli.main``)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import NoReturn

from settings import Settings

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
