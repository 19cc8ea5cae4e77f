"""The ``therapybridge`` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from settings import Settings, SettingsError, get_settings

log = logging.getLogger("therapybridge.cli")

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


def build_parser() -> Parser:
    parser = Parser(prog="therapybridge", description="TherapyBridge API server")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    serve = sub.add_parser("serve", help="migrate, then serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=None)
    serve.add_argument("--no-worker", action="store_true")
    sub.add_parser("worker", help="run the background worker alone")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("export-schema", help="print the GraphQL SDL")
    sub.add_parser("seed-demo", help="create a demo therapist and practice (once)")
    aggregate = sub.add_parser(
        "aggregate", help="store analytics rows of closed days and weeks (backfill)"
    )
    aggregate.add_argument(
        "--since",
        type=_iso_date,
        default=None,
        help="first local day (YYYY-MM-DD); default: the first session",
    )
    extra: Any = sub
    for hook in PARSER_HOOKS:
        hook(extra)
    return parser


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date (YYYY-MM-DD): {value!r}"
        ) from None


# other modules add sub-commands here: fn(subparsers)
PARSER_HOOKS: list[Callable[[Any], None]] = []


@command("export-schema")
def export_schema(args: argparse.Namespace, settings: Settings) -> int:
    from schema import schema

    sys.stdout.write(schema.as_str() + "\n")
    return 0


@command("seed-demo")
def seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    from db.runtime import migrate as run_migrations
    from db.runtime import resolve_database_url, stop_embedded

    try:
        url = resolve_database_url()
        run_migrations(url)
        result = asyncio.run(_seed_demo(settings, url))
    finally:
        stop_embedded()
    if result.created:
        sys.stdout.write(
            f"Demo practice created: {result.patients} patients, "
            f"{result.past_sessions} past sessions, "
            f"{result.upcoming_sessions} upcoming.\n"
        )
    else:
        sys.stdout.write("Demo practice already exists; nothing added.\n")
    sys.stdout.write(f"Sign in as {result.email} / {result.password}\n")
    return 0


async def _seed_demo(settings: Settings, url: str) -> Any:
    from passlib.hash import argon2

    from db.engine import create_engine, create_sessionmaker
    from services.demo import DEMO_PASSWORD, seed_demo

    engine = create_engine(settings, url)
    try:
        async with create_sessionmaker(engine)() as db:
            result = await seed_demo(db, argon2.hash(DEMO_PASSWORD))
            await db.commit()
            return result
    finally:
        await engine.dispose()


@command("aggregate")
def aggregate(args: argparse.Namespace, settings: Settings) -> int:
    from db.runtime import migrate as run_migrations
    from db.runtime import resolve_database_url, stop_embedded

    try:
        url = resolve_database_url()
        run_migrations(url)
        report = asyncio.run(_aggregate(settings, url, args.since))
    finally:
        stop_embedded()
    sys.stdout.write(
        f"Analytics stored from {report.since}: days before {report.days_until}, "
        f"weeks before {report.weeks_until}.\n"
    )
    return 0


async def _aggregate(settings: Settings, url: str, since: date | None) -> Any:
    from datetime import UTC, datetime

    from db.engine import create_engine, create_sessionmaker
    from db.queries.analytics import Frame
    from services.analytics_jobs import ISOLATION, aggregate

    engine = create_engine(settings, url)
    try:
        async with create_sessionmaker(engine)() as db:
            await db.connection(execution_options={"isolation_level": ISOLATION})
            frame = Frame(settings.scheduler_timezone, datetime.now(UTC))
            report = await aggregate(db, frame, since)
            await db.commit()
            return report
    finally:
        await engine.dispose()


def migrate_all(settings: Settings, url: str, *, strict: bool) -> None:
    """The schema migrations, then the store made ready (an S3 bucket that
    does not exist is created) and the encryption of files stored before
    encryption (resumable, see services/file_migration.py). ``strict``: an
    unreachable store is an error; otherwise (serve) it is logged and the
    files wait for the next start."""
    from db.runtime import migrate as run_migrations
    from services.blobstore import StorageUnavailable

    run_migrations(url)

    async def encrypt() -> None:
        from db.engine import create_engine, create_sessionmaker
        from services.file_migration import encrypt_plain_files
        from services.storage import close_stores, get_store

        engine = create_engine(settings, url)
        try:
            await get_store(settings).prepare()
            await encrypt_plain_files(create_sessionmaker(engine), settings)
        finally:
            await close_stores()
            await engine.dispose()

    try:
        asyncio.run(encrypt())
    except StorageUnavailable as exc:
        if strict:
            raise
        log.warning("stored files not encrypted yet, storage unavailable: %s", exc)


@command("migrate")
def migrate(args: argparse.Namespace, settings: Settings) -> int:
    from db.runtime import resolve_database_url, stop_embedded
    from services.blobstore import StorageUnavailable

    try:
        migrate_all(settings, resolve_database_url(), strict=True)
    except StorageUnavailable as exc:
        sys.stderr.write(f"therapybridge: error: storage unavailable: {exc}\n")
        return 1
    finally:
        stop_embedded()
    log.info("migrations applied")
    return 0


@command("serve")
def serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from db.runtime import resolve_database_url, stop_embedded

    workers = args.workers or settings.workers
    if workers < 1:
        sys.stderr.write("therapybridge: error: --workers must be at least 1\n")
        return 2
    # uvicorn re-raises SIGTERM after a graceful shutdown; turning it into
    # SystemExit lets the finally below stop the embedded PostgreSQL cleanly
    signal.signal(signal.SIGTERM, _exit_on_signal)
    metrics_dir = _fresh_metrics_dir(settings) if workers > 1 else None
    from services.logs import logging_config

    # read by the app lifespan (in every uvicorn worker process; a file lock
    # there lets exactly one of them run the job worker)
    os.environ["IN_PROCESS_WORKER"] = "false" if args.no_worker else "true"
    get_settings.cache_clear()
    try:
        migrate_all(settings, resolve_database_url(), strict=False)
        uvicorn.run(
            "app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=workers if workers > 1 else None,
            access_log=False,
            # applied again in each worker process, which starts unconfigured
            log_config=logging_config(settings.log_level),
            # TRUSTED_PROXIES: uvicorn's ProxyHeadersMiddleware takes the
            # client address and scheme from X-Forwarded-For/-Proto, but only
            # when the connection comes from one of these addresses; a header
            # from anyone else is ignored. Unset: the socket peer is the client
            proxy_headers=bool(settings.trusted_proxy_list),
            forwarded_allow_ips=settings.trusted_proxy_list or None,
            # no permessage-deflate: compressing PHI next to attacker-chosen
            # text leaks it through frame sizes (CRIME/BREACH), and status
            # frames are too small for compression to pay for its CPU
            ws_per_message_deflate=False,
            lifespan="on",
        )
    finally:
        stop_embedded()
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


def _fresh_metrics_dir(settings: Settings) -> Path:
    """Multi-process metrics: the workers write their values under one fresh
    directory that any of them merges on a scrape (prometheus_client reads the
    variable at import, so it must be set before the workers start). One per
    server process, so two servers sharing a DATA_DIR do not mix."""
    path = (settings.data_dir / "prometheus" / str(os.getpid())).resolve()
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path


@command("worker")
def worker(args: argparse.Namespace, settings: Settings) -> int:
    from db.runtime import migrate as run_migrations
    from db.runtime import resolve_database_url, stop_embedded

    try:
        url = resolve_database_url()
        run_migrations(url)
        asyncio.run(_run_worker(settings, url))
    except KeyboardInterrupt:
        pass
    finally:
        stop_embedded()
    return 0


async def _run_worker(settings: Settings, url: str) -> None:
    from db.engine import create_engine, create_sessionmaker
    from services import jobs

    engine = create_engine(settings, url)
    await jobs.open_jobs(settings, url, create_sessionmaker(engine))
    log.info("worker started")
    try:
        # SIGINT/SIGTERM cancel it, and procrastinate then stops gracefully
        await jobs.run_worker(install_signal_handlers=True)
    except asyncio.CancelledError:
        log.info("worker stopped")
    finally:
        await jobs.close_jobs()
        await engine.dispose()


def _add_create_admin(sub: Any) -> None:
    p = sub.add_parser(
        "create-admin",
        help="create an ADMIN account (password from TB_ADMIN_PASSWORD or a prompt)",
    )
    p.add_argument("--email", required=True)
    p.add_argument("--first-name", required=True)
    p.add_argument("--last-name", required=True)
    p.add_argument(
        "--practice-name",
        default=None,
        help="create a new practice of this name for the admin "
        "(default: the admin joins the Default practice)",
    )


@command("create-admin")
def create_admin(args: argparse.Namespace, settings: Settings) -> int:
    import getpass

    from db.runtime import migrate as run_migrations
    from db.runtime import resolve_database_url, stop_embedded
    from services.errors import AppError

    secret = settings.tb_admin_password
    password = secret.get_secret_value() if secret else getpass.getpass("Password: ")
    try:
        url = resolve_database_url()
        run_migrations(url)
        user_id = asyncio.run(_create_admin(settings, url, args, password))
    except AppError as exc:
        field = exc.extensions.get("field")
        where = f" ({field})" if field else ""
        sys.stderr.write(f"therapybridge: error{where}: {exc.message}\n")
        return 2
    finally:
        stop_embedded()
    sys.stdout.write(f"admin created: {user_id}\n")
    return 0


async def _create_admin(
    settings: Settings, url: str, args: argparse.Namespace, password: str
) -> str:
    from db.engine import create_engine, create_sessionmaker
    from db.enums import Role
    from db.models import DEFAULT_PRACTICE_ID
    from services.accounts import NewUser, check_new_user, register_user
    from services.practices import create_practice, practice_name

    engine = create_engine(settings, url)
    try:
        async with create_sessionmaker(engine)() as db:
            data = NewUser(
                args.email, password, args.first_name, args.last_name, Role.ADMIN
            )
            practice_id = DEFAULT_PRACTICE_ID
            if args.practice_name is not None:
                check_new_user(data)
                name = practice_name(args.practice_name, "", "")
                practice_id = (await create_practice(db, name)).id
            # created by the operator, who vouches for the address
            user = await register_user(db, data, practice_id=practice_id, verified=True)
            await db.commit()
            return str(user.id)
    finally:
        await engine.dispose()


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _rotate_parser(sub: Any) -> None:
    rotate = sub.add_parser(
        "rotate-phi-key",
        help="re-encrypt PHI under PHI_ENCRYPTION_KEY (safe while serving)",
    )
    rotate.add_argument("--batch-size", type=int, default=500)


PARSER_HOOKS.append(_rotate_parser)


@command("rotate-phi-key")
def rotate_phi_key(args: argparse.Namespace, settings: Settings) -> int:
    """Re-encrypt every value sealed by an old key; print the counts."""
    from db.encryption import Keyring
    from db.rotation import rotate_phi_key as rotate
    from db.runtime import resolve_database_url, stop_embedded
    from settings import _decode_key

    if args.batch_size < 1:
        sys.stderr.write("therapybridge: error: --batch-size must be at least 1\n")
        return 2
    old = [_decode_key("PHI_ENCRYPTION_OLD_KEYS", k) for k in settings.old_phi_keys]
    keyring = Keyring(settings.phi_key, old)

    async def run() -> Any:
        from db.engine import create_engine, create_sessionmaker

        engine = create_engine(settings, resolve_database_url())
        try:
            return await rotate(create_sessionmaker(engine), keyring, args.batch_size)
        finally:
            await engine.dispose()

    try:
        report = asyncio.run(run())
    except LookupError as exc:
        # a value sealed by a key that is neither current nor listed as old
        sys.stderr.write(
            f"therapybridge: error: {exc}; add it to PHI_ENCRYPTION_OLD_KEYS\n"
        )
        return 1
    finally:
        stop_embedded()
    for name, count in sorted(report.rotated.items()):
        sys.stdout.write(f"rotated {name}: {count}\n")
    for name, count in sorted(report.remaining.items()):
        sys.stdout.write(f"remaining {name}: {count}\n")
    sys.stdout.write(
        f"re-encrypted {report.total} values under key {keyring.current_id}; "
        f"{sum(report.remaining.values())} remaining\n"
    )
    return 1 if report.remaining else 0


def _cleanup_parser(sub: Any) -> None:
    cleanup = sub.add_parser(
        "cleanup-audio",
        help="the audio retention clean-up of every practice (a dry run "
        "unless --apply)",
    )
    cleanup.add_argument("--apply", action="store_true")


PARSER_HOOKS.append(_cleanup_parser)


@command("cleanup-audio")
def cleanup_audio(args: argparse.Namespace, settings: Settings) -> int:
    """Orphaned audio and old FAILED sessions' audio, across practices (the
    operator's task; practice admins clean only their own FAILED sessions)."""
    from db.runtime import resolve_database_url, stop_embedded
    from services.retention import cleanup_audio as run_cleanup

    async def run() -> Any:
        from db.engine import create_engine, create_sessionmaker

        engine = create_engine(settings, resolve_database_url())
        try:
            async with create_sessionmaker(engine)() as db:
                report = await run_cleanup(db, settings, dry_run=not args.apply)
                await db.commit()
                return report
        finally:
            await engine.dispose()

    try:
        report = asyncio.run(run())
    finally:
        stop_embedded()
    verb = "deleted" if args.apply else "would delete"
    sys.stdout.write(
        f"{verb} {report.files_deleted} files ({report.bytes_freed} bytes) of "
        f"{report.sessions_cleaned} failed sessions and orphans; "
        f"{len(report.errors)} errors\n"
    )
    for line in report.errors:
        sys.stdout.write(f"error: {line}\n")
    return 1 if report.errors else 0


def _ai_check_parser(sub: Any) -> None:
    sub.add_parser(
        "ai-check",
        help="send one second of audio and one small extraction to the AI providers",
    )


PARSER_HOOKS.append(_ai_check_parser)


@command("ai-check")
def ai_check(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when both providers work, 1 otherwise."""
    from services.ai_check import report, run_checks

    results = asyncio.run(run_checks(settings))
    sys.stdout.write(report(results))
    return 0 if all(check.ok for check, _ in results) else 1


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


PARSER_HOOKS.append(_add_create_admin)


def _add_eval(sub: Any) -> None:
    p = sub.add_parser(
        "eval",
        help="run the note extraction over eval/ and write eval/RESULTS.md",
    )
    p.add_argument("--limit", type=int, default=None, help="only the first N sessions")
    p.add_argument("--output", type=Path, default=None, help="default eval/RESULTS.md")


@command("eval")
def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from services import evaluation

    summary = asyncio.run(evaluation.evaluate(settings, limit=args.limit))
    section = evaluation.render(summary)
    out = args.output or evaluation.EVAL_DIR / "RESULTS.md"
    evaluation.write_results(out, section, summary.prompt_version)
    sys.stdout.write(section)
    screen = summary.risk_recall("screen")
    # the screen must find every disclosure of the suite
    return 0 if screen is None or screen >= 1.0 else 1


PARSER_HOOKS.append(_add_eval)


def _backup_parsers(sub: Any) -> None:
    b = sub.add_parser(
        "backup",
        help="write the database (a logical dump) and uploaded files to FILE",
    )
    b.add_argument("file", type=Path, metavar="FILE")
    r = sub.add_parser("restore", help="load a backup FILE into an empty database")
    r.add_argument("file", type=Path, metavar="FILE")
    r.add_argument(
        "--force",
        action="store_true",
        help="replace everything in a database that is not empty",
    )


PARSER_HOOKS.append(_backup_parsers)


def _embedded_bin(settings: Settings) -> Path | None:
    if settings.database_url:
        return None
    from db.embedded import bin_dir

    return bin_dir()


@command("backup")
def backup(args: argparse.Namespace, settings: Settings) -> int:
    from db.dump import DumpError
    from db.runtime import resolve_database_url, stop_embedded
    from services.backup import BackupError
    from services.backup import backup as run_backup

    if args.file.expanduser().exists():
        sys.stderr.write(f"therapybridge: error: {args.file} exists; not overwritten\n")
        return 2
    try:
        report = run_backup(
            settings, resolve_database_url(), _embedded_bin(settings), args.file
        )
    except (BackupError, DumpError) as exc:
        sys.stderr.write(f"therapybridge: error: {exc}\n")
        return 1
    finally:
        stop_embedded()
    sys.stdout.write(
        f"backup written to {report.path}: database dump of "
        f"{report.database_bytes} bytes, {report.files} stored files\n"
    )
    return 0


@command("restore")
def restore(args: argparse.Namespace, settings: Settings) -> int:
    from db.dump import DumpError
    from db.runtime import migrate as run_migrations
    from db.runtime import resolve_database_url, stop_embedded
    from services.backup import BackupError
    from services.backup import restore as run_restore

    try:
        url = resolve_database_url()
        manifest = run_restore(
            settings, url, _embedded_bin(settings), args.file, force=args.force
        )
        # a backup of an older version is brought up to this one's schema
        run_migrations(url)
    except (BackupError, DumpError) as exc:
        sys.stderr.write(f"therapybridge: error: {exc}\n")
        return 1 if not isinstance(exc, BackupError) else 2
    finally:
        stop_embedded()
    sys.stdout.write(
        f"restored the backup of {manifest.get('created_at')} "
        f"(schema {manifest.get('alembic_revision')}, "
        f"{manifest.get('storage_files', 0)} stored files)\n"
    )
    return 0


if __name__ == "__main__":
    run()
