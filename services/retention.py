"""Retention clean-up of stored files, in whichever store is configured.

Three kinds of files go: orphaned audio (nothing in ``audio_files`` points at
it, or only a row whose session was deleted) and orphaned exports (no
``export_jobs`` row names them: a job killed between storing and committing)
older than ORPHANED_FILE_RETENTION_HOURS, and the audio of sessions that
FAILED more than FAILED_SESSION_RETENTION_DAYS ago. Session rows are kept for
the record; the audio row gets ``deleted_at``. A dry run computes the same
plan and deletes nothing, so a real run right after it deletes exactly what it
listed. A real run also aborts uploads interrupted that long ago (S3 multipart
uploads, partial local files), which have no row and are not in the listing.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.queries import retention as q
from services import storage
from services.blobstore import StorageUnavailable
from settings import Settings

log = logging.getLogger("therapybridge.retention")

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
    db: AsyncSession,
    settings: Settings,
    now: datetime | None = None,
    practice_id: uuid.UUID | None = None,
) -> list[CleanupItem]:
    """What a clean-up run at ``now`` deletes. With ``practice_id`` (a
    practice administrator's run) only that practice's FAILED-session audio:
    orphaned files belong to no practice and are the operator's (the daily
    task and ``therapybridge cleanup-audio``)."""
    now = now or utcnow()
    store = storage.get_store(settings)
    cutoff = now - timedelta(hours=settings.orphaned_file_retention_hours)
    items: dict[str, CleanupItem] = {}
    # orphans belong to no practice: only the operator's run looks for them
    orphan_prefixes = (
        (
            (storage.AUDIO_DIR, q.live_audio_keys),
            (storage.EXPORTS_DIR, q.live_export_keys),
        )
        if practice_id is None
        else ()
    )
    for prefix, live_keys in orphan_prefixes:
        old = {
            b.key: b.size for b in await store.list(f"{prefix}/") if b.modified < cutoff
        }
        keys = sorted(old)
        for i in range(0, len(keys), CHUNK):
            chunk = keys[i : i + CHUNK]
            live = await live_keys(db, chunk)
            orphans = [k for k in chunk if k not in live]
            unlinked = (
                await q.unlinked_audio_ids(db, orphans)
                if prefix == storage.AUDIO_DIR
                else {}
            )
            for key in orphans:
                items[key] = CleanupItem(key, old[key], "orphaned", unlinked.get(key))
    failed_before = now - timedelta(days=settings.failed_session_retention_days)
    for audio_id, session_id, key in await q.failed_session_audio(
        db, failed_before, practice_id
    ):
        size = await store.size(key) or 0  # already gone: the row is still marked
        items[key] = CleanupItem(key, size, "failed_session", audio_id, session_id)
    return sorted(items.values(), key=lambda item: item.key)


async def cleanup_audio(
    db: AsyncSession,
    settings: Settings,
    *,
    dry_run: bool,
    now: datetime | None = None,
    practice_id: uuid.UUID | None = None,
) -> CleanupReport:
    """Plan the clean-up (of one practice, or everything) and, unless
    ``dry_run``, delete the files and mark their rows (flushed, not committed)."""
    now = now or utcnow()
    try:
        plan = await plan_cleanup(db, settings, now, practice_id)
    except StorageUnavailable as exc:
        log.warning("audio clean-up: storage unavailable: %s", exc)
        raise storage.StorageError() from None
    report = CleanupReport(dry_run=dry_run)
    deleted: list[CleanupItem] = []
    store = storage.get_store(settings)
    for item in plan:
        if not dry_run:
            try:
                await store.delete(item.key)
            except StorageUnavailable as exc:
                report.errors.append(f"{item.key}: {exc}")
                continue
        deleted.append(item)
    report.keys = [item.key for item in deleted]
    report.files_deleted = len(deleted)
    report.bytes_freed = sum(item.size for item in deleted)
    report.sessions_cleaned = len({i.session_id for i in deleted if i.session_id})
    if not dry_run:
        ids = [item.audio_id for item in deleted if item.audio_id]
        await q.mark_audio_deleted(db, ids, now)
        await db.flush()
        # uploads interrupted by a killed process: parts (S3) or partial files
        cutoff = now - timedelta(hours=settings.orphaned_file_retention_hours)
        for prefix in (storage.AUDIO_DIR, storage.EXPORTS_DIR):
            try:
                aborted = await store.abort_stale(f"{prefix}/", cutoff)
            except StorageUnavailable as exc:
                report.errors.append(f"{prefix}/ (interrupted uploads): {exc}")
                continue
            if aborted:
                log.info("cleared %d interrupted uploads under %s/", aborted, prefix)
    log.info(
        "audio clean-up%s: %d files, %d sessions, %d bytes, %d errors",
        " (dry run)" if dry_run else "",
        report.files_deleted,
        report.sessions_cleaned,
        report.bytes_freed,
        len(report.errors),
    )
    return report
