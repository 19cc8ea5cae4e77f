"""Running one export job: read what the requester may still read, build the
document, render it in a thread, store it encrypted (services/storage.py)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import utcnow
from db.enums import ExportFormat, ExportKind, JobStatus
from db.models import ExportJob, Patient, SessionNotes, User
from db.queries import export_files as q
from db.queries import review as rq
from db.queries import sessions as sq
from db.queries.analytics import Frame
from db.queries.scoping import readable_patient, readable_session
from services import analytics, storage

# Gone: what the job exports is no longer readable by its requester
from services.export_patient import Gone, patient_record, progress_summary
from services.export_render import Block, Document, mood_chart, render, topic_chart
from services.note_format import NoteFormat
from services.note_format import render as render_note
from services.notes import NoteContent
from settings import Settings

log = logging.getLogger("therapybridge.exports")

EXTENSIONS = {ExportFormat.PDF: "pdf", ExportFormat.DOCX: "docx"}
FAILED_MESSAGE = "The export could not be produced; please try again."
GONE_MESSAGE = "The session or patient is no longer available to you."


async def run_export(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    export_id: uuid.UUID,
) -> None:
    """Produce the file of one export job; DONE or FAILED (safe to run twice)."""
    async with session_factory() as db:
        job = await q.export_for_update(db, export_id)
        if job is None or job.status in (JobStatus.DONE, JobStatus.FAILED):
            return
        job.status = JobStatus.RUNNING
        try:
            doc = await build_document(db, settings, job)
            data = await asyncio.to_thread(render, doc, job.format)
            key = f"{storage.EXPORTS_DIR}/{job.id}.{EXTENSIONS[job.format]}"
            # encrypted on its way to the store; a row that never commits
            # leaves an object the clean-up removes
            file_key = await storage.put_bytes(settings, key, data)
        except Exception as exc:
            await db.rollback()
            await _fail(session_factory, export_id, exc)
            raise
        now = utcnow()
        job.status = JobStatus.DONE
        job.storage_key = key
        job.file_key = file_key
        job.encrypted = True
        job.completed_at = now
        job.expires_at = now + timedelta(days=settings.export_retention_days)
        await db.commit()
    log.info("export done", extra={"job": str(export_id)})


async def _fail(
    session_factory: async_sessionmaker[AsyncSession],
    export_id: uuid.UUID,
    exc: Exception,
) -> None:
    async with session_factory() as db:
        job = await q.export_for_update(db, export_id)
        if job is None:
            return
        job.status = JobStatus.FAILED
        job.error = GONE_MESSAGE if isinstance(exc, Gone) else FAILED_MESSAGE
        job.completed_at = utcnow()
        await db.commit()
    log.warning("export failed: %s", type(exc).__name__, extra={"job": str(export_id)})


async def build_document(
    db: AsyncSession, settings: Settings, job: ExportJob
) -> Document:
    """The export's document, read with the requester's own scoping."""
    requester = await db.get(User, job.requested_by_id)
    if requester is None or not requester.is_active:
        raise Gone()
    if job.kind is ExportKind.SESSION_NOTES:
        return await _session_notes(db, requester, job)
    if job.kind is ExportKind.PATIENT_RECORD:
        return await patient_record(db, settings, requester, job)
    return await _progress_report(db, settings, requester, job)


def _when(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


async def _session_notes(db: AsyncSession, requester: User, job: ExportJob) -> Document:
    if job.session_id is None:
        raise Gone()
    row = await readable_session(db, requester, job.session_id)
    notes = await sq.latest_notes(db, job.session_id) if row else None
    if row is None or notes is None:
        raise Gone()
    patient = await db.get(Patient, row.patient_id)
    therapist = await db.get(User, row.therapist_id)
    fmt = NoteFormat(job.params.get("note_format", NoteFormat.SOAP.value))
    text = render_note(
        NoteContent.from_dict(notes.content),
        notes.session_mood,
        notes.mood_trajectory,
        fmt,
    )
    blocks: list[Block] = []
    for section in text.split("\n\n"):
        title, _, body = section.partition("\n")
        blocks.append(Block("heading", title))
        blocks.append(
            Block("bullets", items=[ln.removeprefix("- ") for ln in body.splitlines()])
        )
    header = [
        ("Patient", patient.name if patient else ""),
        ("Session date", _when(row.session_date)),
        ("Therapist", therapist.full_name if therapist else ""),
        ("Note version", str(notes.version)),
    ]
    blocks.extend(await _signature(db, notes, header))
    header.append(("Exported", _when(utcnow())))
    return Document(title=f"Session notes ({fmt.value})", header=header, blocks=blocks)


async def _signature(
    db: AsyncSession, notes: SessionNotes, header: list[tuple[str, str]]
) -> list[Block]:
    """The signature line in the header and the addenda after the note."""
    if notes.signed_at is None:
        header.append(("Signed", "Not signed"))
        return []
    signer = await db.get(User, notes.signed_by_id) if notes.signed_by_id else None
    name = signer.full_name if signer else "a former user"
    header.append(("Signed", f"{name}, {_when(notes.signed_at)}"))
    addenda = await rq.addenda_of(db, [notes.id])
    if not addenda:
        return []
    items = []
    for addendum in addenda:
        author = await db.get(User, addendum.author_id) if addendum.author_id else None
        by = author.full_name if author else "a former user"
        items.append(f"{_when(addendum.created_at)}, {by}: {addendum.text}")
    return [Block("heading", "Addenda"), Block("bullets", items=items)]


async def _progress_report(
    db: AsyncSession, settings: Settings, requester: User, job: ExportJob
) -> Document:
    weeks = int(job.params.get("weeks", 12))
    patient = await readable_patient(db, requester, job.patient_id)
    if patient is None:  # no longer assigned
        raise Gone()
    frame = Frame(settings.scheduler_timezone, utcnow())
    progress = await analytics.patient_progress(db, requester, patient, frame, weeks)
    trend = progress.mood_trend
    first, last = progress.weekly[0].week_start, progress.weekly[-1].week_start
    labels = [w.week_start.isoformat() for w in progress.weekly]
    topics = [(t.topic, t.frequency) for t in progress.common_topics[:12]]
    # matplotlib is CPU work: off the event loop
    mood_png = await asyncio.to_thread(
        mood_chart, labels, [w.avg_mood_score for w in progress.weekly]
    )
    blocks = [
        Block("heading", "Summary"),
        Block(
            "bullets",
            items=[
                *progress_summary(progress),
                "Mood change: "
                + (
                    "n/a"
                    if trend.change_percent is None
                    else f"{trend.change_percent:+.1f}%"
                ),
            ],
        ),
        Block("heading", "Weekly mood trend"),
        Block("image", png=mood_png),
        Block(
            "table",
            rows=[["Week starting", "Sessions", "Average mood (1-5)"]]
            + [
                [
                    w.week_start.isoformat(),
                    str(w.sessions_count),
                    "" if w.avg_mood_score is None else f"{w.avg_mood_score:.2f}",
                ]
                for w in progress.weekly
            ],
        ),
        Block("heading", "Topic frequency"),
    ]
    if topics:
        topic_png = await asyncio.to_thread(topic_chart, topics)
        blocks.append(Block("image", png=topic_png))
        blocks.append(Block("bullets", items=[f"{t}: {n}" for t, n in topics]))
    else:
        blocks.append(Block("text", "No topics recorded in this period."))
    return Document(
        title="Progress report",
        header=[
            ("Patient", patient.name),
            ("Therapist", requester.full_name),
            ("Period", f"{first.isoformat()} to {last.isoformat()} ({weeks} weeks)"),
            ("Exported", _when(utcnow())),
        ],
        blocks=blocks,
    )
