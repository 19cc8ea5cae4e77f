"""Retention clean-up of stored audio.

Two kinds of files go: orphaned files (nothing in ``audio_files`` points at
them, or only a row whose session was deleted) older than
ORPHANED_FILE_RETENTION_HOURS, and the audio of sessions that FAILED more than
FAILED_SESSION_RETENTION_DAYS ago. Session rows are kept for the record; the
audio row gets ``deleted_at``. A dry run computes the same plan and deletes
nothing, so a real run right after it deletes exactly what it listed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.queries import retention as q
from settings import Settings

log = logging.getLogger("therapybridge.retention")

# uploads are written under this folder of the storage directory
AUDIO_DIR = "audio"
# keep IN lists well under PostgreSQL's parameter limit
CHUNK = 1000


@dataclass
class CleanupItem:
    key: str
    size: int
    reason: str  # "orphaned" or "failed_session"
    audio_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None


@dataclass
class CleanupReport:
    dry_run: bool
    files_deleted: int = 0
    sessions_cleaned: int = 0
    bytes_freed: int = 0
    errors: list[str] = field(default_factory=list)
    # the storage keys deleted (or, in a dry run, that would be)
    keys: list[str] = field(default_factory=list)


async def plan_cleanup(
    session: AsyncSession,
    settings: Settings,
    now: datetime | None = None,
    practice_id: uuid.UUID | None = None,
) -> list[CleanupItem]:
    """What a clean-up run at ``now`` deletes. With ``practice_id`` (a
    practice administrator's run) only that practice's FAILED-session audio:
    orphaned files belong to no practice and are the operator's (the daily
    task and ``therapybridge cleanup-audio``)."""
    now = now or utcnow()
    root = settings.storage_path
    cutoff = now - timedelta(hours=settings.orphaned_file_retention_hours)
    old = {}
    if practice_id is None:
        old = await asyncio.to_thread(_old_files, root, cutoff.timestamp())
    items: dict[str, CleanupItem] = {}
    keys = sorted(old)
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        live = await q.live_audio_keys(session, chunk)
        orphans = [k for k in chunk if k not in live]
        unlinked = await q.unlinked_audio_ids(session, orphans)
        for key in orphans:
            items[key] = CleanupItem(key, old[key], "orphaned", unlinked.get(key))
    failed_before = now - timedelta(days=settings.failed_session_retention_days)
    for audio_id, session_id, key in await q.failed_session_audio(
        session, failed_before, practice_id
    ):
        size = await asyncio.to_thread(_size, root, key)
        items[key] = CleanupItem(key, size, "failed_session", audio_id, session_id)
    return sorted(items.values(), key=lambda item: item.key)


async def cleanup_audio(
    session: AsyncSession,
    settings: Settings,
    *,
    dry_run: bool,
    now: datetime | None = None,
    practice_id: uuid.UUID | None = None,
) -> CleanupReport:
    """Plan the clean-up (of one practice, or everything) and, unless
    ``dry_run``, delete the files and mark their rows (flushed, not committed)."""
    now = now or utcnow()
    plan = await plan_cleanup(session, settings, now, practice_id)
    report = CleanupReport(dry_run=dry_run)
    deleted: list[CleanupItem] = []
    for item in plan:
        if not dry_run:
            error = await asyncio.to_thread(_unlink, settings.storage_path, item.key)
            if error:
                report.errors.append(f"{item.key}: {error}")
                continue
        deleted.append(item)
    report.keys = [item.key for item in deleted]
    report.files_deleted = len(deleted)
    report.bytes_freed = sum(item.size for item in deleted)
    report.sessions_cleaned = len({i.session_id for i in deleted if i.session_id})
    if not dry_run:
        ids = [item.audio_id for item in deleted if item.audio_id]
        await q.mark_audio_deleted(session, ids, now)
        await session.flush()
    log.info(
        "audio clean-up%s: %d files, %d sessions, %d bytes, %d errors",
        " (dry run)" if dry_run else "",
        report.files_deleted,
        report.sessions_cleaned,
        report.bytes_freed,
        len(report.errors),
    )
    return report


def _old_files(root: Path, before: float) -> dict[str, int]:
    """Storage key -> size of the audio files last modified before ``before``."""
    found: dict[str, int] = {}
    base = root / AUDIO_DIR
    if not base.is_dir():
        return found
    for dirpath, _dirs, files in os.walk(base):
        for name in files:
            path = Path(dirpath) / name
            try:
                st = path.stat()
            except FileNotFoundError:
                continue  # removed while we looked
            if st.st_mtime < before:
                found[path.relative_to(root).as_posix()] = st.st_size
    return found


def _inside(root: Path, key: str) -> Path | None:
    base = root.resolve()
    path = (base / key).resolve()
    return path if path.is_relative_to(base) and path != base else None


def _size(root: Path, key: str) -> int:
    path = _inside(root, key)
    try:
        return path.stat().st_size if path else 0
    except FileNotFoundError:
        return 0  # already gone: the row is still marked


def _unlink(root: Path, key: str) -> str | None:
    """Delete one stored file; the reason it failed, or None."""
    path = _inside(root, key)
    if path is None:
        return "outside the storage directory"
    try:
        path.unlink()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None
