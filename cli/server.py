"""The commands that run the service: ``serve`` (migrate, then uvicorn, with
the job worker in-process unless ``--no-worker``), ``worker`` (the job worker
alone), ``migrate`` (the schema, then the file store made ready and old files
encrypted: ``migrate_all``) and ``export-schema`` (the SDL on stdout)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

from cli.registry import command
from settings import Settings, get_settings

log = logging.getLogger("therapybridge.cli")


def add_parsers(sub: Any) -> None:
    serve = sub.add_parser("serve", help="migrate, then serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=None)
    serve.add_argument("--no-worker", action="store_true")
    sub.add_parser("worker", help="run the background worker alone")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("export-schema", help="print the GraphQL SDL")


@command("export-schema")
def export_schema(args: argparse.Namespace, settings: Settings) -> int:
    from schema import schema

    sys.stdout.write(schema.as_str() + "\n")
    return 0


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


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)
