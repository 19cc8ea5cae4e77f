"""Dataloaders: one class per entity and key, created per request, scoped to
the caller through the ``readable_*`` builders. Named ``<Entity>By<Key>Loader``.

The base and its batching helpers are in ``base.py``; the loaders by aggregate
in ``sessions.py``, ``notes.py``, ``patients.py`` and ``practices.py``. Every
public name is re-exported here: import them from ``db.loaders``.
"""

from db.loaders.base import (
    LOADER_KEYS,
    Build,
    ScopedLoader,
    keyed_rows,
    many_each,
    one_each,
)
from db.loaders.notes import (
    AddendaByNotesIdLoader,
    LatestNotesBySessionIdLoader,
    NotesByIdLoader,
    NoteVersionsBySessionIdLoader,
)
from db.loaders.patients import (
    ExportJobByIdLoader,
    GoalsByPlanIdLoader,
    PatientByIdLoader,
    RiskAlertByIdLoader,
    TherapistsByPatientIdLoader,
    TreatmentPlanByIdLoader,
    TreatmentPlansByPatientIdLoader,
    UserByIdLoader,
)
from db.loaders.practices import (
    Actor,
    AuditActorByIdLoader,
    ConsentsByPatientIdLoader,
    PracticeByIdLoader,
)
from db.loaders.sessions import (
    DETAIL_SESSION_ID,
    AudioFileBySessionIdLoader,
    SessionByIdLoader,
    SessionCountByPatientIdLoader,
    SessionDetail,
    SessionPageKey,
    SessionsByPatientIdLoader,
    StatusEventsBySessionIdLoader,
    TranscriptBySessionIdLoader,
    load_session_detail,
)

__all__ = [
    "DETAIL_SESSION_ID",
    "LOADER_KEYS",
    "Actor",
    "AddendaByNotesIdLoader",
    "AudioFileBySessionIdLoader",
    "AuditActorByIdLoader",
    "Build",
    "ConsentsByPatientIdLoader",
    "ExportJobByIdLoader",
    "GoalsByPlanIdLoader",
    "LatestNotesBySessionIdLoader",
    "NoteVersionsBySessionIdLoader",
    "NotesByIdLoader",
    "PatientByIdLoader",
    "PracticeByIdLoader",
    "RiskAlertByIdLoader",
    "ScopedLoader",
    "SessionByIdLoader",
    "SessionCountByPatientIdLoader",
    "SessionDetail",
    "SessionPageKey",
    "SessionsByPatientIdLoader",
    "StatusEventsBySessionIdLoader",
    "TherapistsByPatientIdLoader",
    "TranscriptBySessionIdLoader",
    "TreatmentPlanByIdLoader",
    "TreatmentPlansByPatientIdLoader",
    "UserByIdLoader",
    "keyed_rows",
    "load_session_detail",
    "many_each",
    "one_each",
]
