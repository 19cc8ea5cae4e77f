"""The maintenance commands of a running installation: ``rotate-phi-key``
(re-encrypt PHI under the current key), ``cleanup-audio`` (the audio
retention clean-up across practices), ``backup`` and ``restore`` (a logical
dump of the database plus the stored files, in one file)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from cli.registry import command, in_one_session
from settings import Settings


def add_rotate_parser(sub: Any) -> None:
    rotate = sub.add_parser(
        "rotate-phi-key",
        help="re-encrypt PHI under PHI_ENCRYPTION_KEY (safe while serving)",
    )
    rotate.add_argument("--batch-size", type=int, default=500)


def add_cleanup_parser(sub: Any) -> None:
    cleanup = sub.add_parser(
        "cleanup-audio",
        help="the audio retention clean-up of every practice (a dry run "
        "unless --apply)",
    )
    cleanup.add_argument("--apply", action="store_true")


def add_backup_parsers(sub: Any) -> None:
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


@command("rotate-phi-key")
def rotate_phi_key(args: argparse.Namespace, settings: Settings) -> int:
    """Re-encrypt every value sealed by an old key; print the counts."""
    from db.encryption import Keyring
    from db.rotation import rotate_phi_key as rotate
    from db.runtime import resolve_database_url, stop_embedded

    if args.batch_size < 1:
        sys.stderr.write("therapybridge: error: --batch-size must be at least 1\n")
        return 2
    keyring = Keyring(settings.phi_key, settings.old_phi_key_bytes)

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


@command("cleanup-audio")
def cleanup_audio(args: argparse.Namespace, settings: Settings) -> int:
    """Orphaned audio and old FAILED sessions' audio, across practices (the
    operator's task; practice admins clean only their own FAILED sessions)."""
    from db.runtime import resolve_database_url, stop_embedded
    from services.retention import cleanup_audio as run_cleanup

    try:
        report = asyncio.run(
            in_one_session(
                settings,
                resolve_database_url(),
                lambda db: run_cleanup(db, settings, dry_run=not args.apply),
            )
        )
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
