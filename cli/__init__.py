"""The ``therapybridge`` command (``run``, the console script of
pyproject.toml; ``main(argv)`` for tests). Its sub-commands live by topic:
``cli/server.py`` (serve, worker, migrate, export-schema), ``cli/data.py``
(seed-demo, create-admin, aggregate), ``cli/ops.py`` (rotate-phi-key,
cleanup-audio, backup, restore), ``cli/checks.py`` (ai-check, eval); each
registers itself with ``@command`` (``cli/registry.py``)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from cli import checks, data, ops, server
from cli.registry import COMMANDS, Parser
from settings import SettingsError, get_settings

__all__ = ["COMMANDS", "build_parser", "main", "run"]

# in the order `therapybridge --help` lists the sub-commands
PARSERS: tuple[Callable[[Any], None], ...] = (
    server.add_parsers,
    data.add_seed_parsers,
    ops.add_rotate_parser,
    ops.add_cleanup_parser,
    checks.add_ai_check_parser,
    data.add_create_admin_parser,
    checks.add_eval_parser,
    ops.add_backup_parsers,
)


def build_parser() -> Parser:
    parser = Parser(prog="therapybridge", description="TherapyBridge API server")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    extra: Any = sub
    for add in PARSERS:
        add(extra)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except SettingsError as exc:
        sys.stderr.write(f"therapybridge: invalid settings: {exc}\n")
        return 2
    from services.logs import configure_logging

    configure_logging(settings.log_level)
    return COMMANDS[args.command](args, settings)


def run() -> NoReturn:
    sys.exit(main())
