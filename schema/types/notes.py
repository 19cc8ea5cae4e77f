"""SessionNotes and its parts: Strategy, ActionItem, RiskFlag."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import strawberry
from strawberry.types import Info

from db import models
from db.enums import Mood, MoodTrajectory, NoteSource, RiskSeverity, RiskSource
from resolvers import notes as resolve
from resolvers import review
from resolvers.context import Context
from schema.node import Node, register_node
from schema.types.user import UserRow
from services.note_format import NoteFormat as NoteFormatValue

if TYPE_CHECKING:
    from schema.types.session import TherapySessionRow
    from services import notes as parts

strawberry.enum(NoteFormatValue, name="NoteFormat")
Notes = strawberry.Parent[models.SessionNotes]


@strawberry.type(
    name="Evidence",
    description="Where in the transcript a claim comes from; `verified` is the "
    "server's own check of the quote against the segment it names.",
)
class EvidenceType:
    segment_index: int
    quote: str
    start: float | None
    end: float | None
    verified: bool


@strawberry.type(name="Topic")
class TopicType:
    name: str
    evidence: list[EvidenceType] = strawberry.field(
        description="Empty for a topic a therapist added by an edit."
    )


@strawberry.type(name="Strategy")
class StrategyType:
    name: str
    category: str
    description: str
    context: str | None
    evidence: list[EvidenceType] = strawberry.field(
        description="Empty for a strategy a therapist added by an edit."
    )


@strawberry.type(name="ActionItem")
class ActionItemType:
    task: str
    category: str
    details: str | None
    evidence: list[EvidenceType] = strawberry.field(
        description="Empty for an item a therapist added by an edit."
    )


@strawberry.type(name="RiskFlag")
class RiskFlagType:
    type: str
    evidence: str
    severity: RiskSeverity
    source: RiskSource
    quotes: list[EvidenceType]
    verified: bool = strawberry.field(
        description="Whether a quote of the flag was found in the transcript; "
        "a flag is never dropped for want of one."
    )


@strawberry.type(name="NoteAddendum")
class NoteAddendumType:
    text: str
    created_at: datetime

    @strawberry.field
    @staticmethod
    async def author(
        root: strawberry.Parent[models.NoteAddendum], info: Info[Context, None]
    ) -> UserRow | None:
        return await review.user_by_id(info, root.author_id)


@strawberry.type(name="SessionNotes")
class SessionNotesType(Node):
    version: int
    session_mood: Mood
    mood_trajectory: MoodTrajectory
    source: NoteSource
    model: str | None
    created_at: datetime
    prompt_version: str | None = strawberry.field(
        description="The extraction prompt's version (null for therapist edits)."
    )
    unsupported_claims: int = strawberry.field(
        description="Extracted items dropped because no quote could be verified."
    )
    signed_at: datetime | None = strawberry.field(
        description="Set once the session's therapist signed this version; "
        "a signed version is locked."
    )

    @strawberry.field
    @staticmethod
    async def signed_by(root: Notes, info: Info[Context, None]) -> UserRow | None:
        return await review.user_by_id(info, root.signed_by_id)

    @strawberry.field(description="Dated, authored additions to the signed note.")
    @staticmethod
    async def addenda(root: Notes, info: Info[Context, None]) -> list[NoteAddendumRow]:
        return await review.addenda(info, root)

    @strawberry.field
    @staticmethod
    async def session(
        root: Notes, info: Info[Context, None]
    ) -> Annotated[TherapySessionRow, strawberry.lazy("schema.types.session")]:
        return await resolve.notes_session(info, root)

    @strawberry.field
    @staticmethod
    def key_topics(root: Notes) -> list[str]:
        return resolve.key_topics(root)

    @strawberry.field
    @staticmethod
    def topic_summary(root: Notes) -> str:
        return resolve.topic_summary(root)

    @strawberry.field(description="The key topics with their evidence.")
    @staticmethod
    def topics(root: Notes) -> list[TopicRow]:
        return resolve.content(root).topic_list()

    @strawberry.field
    @staticmethod
    def strategies(root: Notes) -> list[StrategyRow]:
        return resolve.content(root).strategies

    @strawberry.field
    @staticmethod
    def action_items(root: Notes) -> list[ActionItemRow]:
        return resolve.content(root).action_items

    @strawberry.field
    @staticmethod
    def patient_summary(root: Notes) -> str:
        return resolve.content(root).patient_summary

    @strawberry.field(description="FORBIDDEN for the PATIENT role.")
    @staticmethod
    def therapist_notes(root: Notes, info: Info[Context, None]) -> str:
        return resolve.hidden_content(info, root).therapist_notes

    @strawberry.field(description="FORBIDDEN for the PATIENT role.")
    @staticmethod
    def risk_flags(root: Notes, info: Info[Context, None]) -> list[RiskFlagRow]:
        return resolve.hidden_content(info, root).risk_flags

    @strawberry.field(
        description="The note as SOAP, DAP or BIRP text; FORBIDDEN for patients."
    )
    @staticmethod
    def formatted(
        root: Notes, info: Info[Context, None], format: NoteFormatValue
    ) -> str:
        return resolve.formatted(info, root, format)

    @strawberry.field(description="Null for notes written by the AI.")
    @staticmethod
    async def author(root: Notes, info: Info[Context, None]) -> UserRow | None:
        return await resolve.author(info, root)

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Context, None]) -> bool:
        return isinstance(obj, models.SessionNotes | cls)


if TYPE_CHECKING:  # the rows and records these types are read from (schema/rows.py)
    SessionNotesRow: TypeAlias = models.SessionNotes
    NoteAddendumRow: TypeAlias = models.NoteAddendum
    TopicRow: TypeAlias = parts.Topic
    StrategyRow: TypeAlias = parts.Strategy
    ActionItemRow: TypeAlias = parts.ActionItem
    RiskFlagRow: TypeAlias = parts.RiskFlag
else:
    SessionNotesRow = SessionNotesType
    NoteAddendumRow = NoteAddendumType
    TopicRow = TopicType
    StrategyRow = StrategyType
    ActionItemRow = ActionItemType
    RiskFlagRow = RiskFlagType


register_node("SessionNotes", resolve.notes_by_id, models.SessionNotes)
