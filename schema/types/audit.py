"""The AuditEvent type."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry
from strawberry.types import Info

from db import models
from db.enums import Role
from resolvers import patients as patient_resolvers
from resolvers.audit_log import audit_event_node
from resolvers.context import Context
from resolvers.ids import encode_id
from resolvers.practices import audit_actor
from resolvers.users import user_node
from schema.node import Node, register_node
from schema.types.patient import PatientRow
from schema.types.user import UserRow


@strawberry.type(name="AuditEvent", description="One recorded access or change.")
class AuditEventType(Node):
    at: datetime
    action: str = strawberry.field(
        description="READ, CREATE, UPDATE, DELETE, LOGIN, LOGIN_FAILED, EXPORT, ..."
    )
    entity_type: str
    fields: list[str] = strawberry.field(
        description="The fields read or written (names, never values)."
    )
    request_id: str | None

    @strawberry.field(description="Null when unknown (a failed login) or not visible.")
    @staticmethod
    async def actor(
        root: strawberry.Parent[models.AuditEvent], info: Info[Context, None]
    ) -> UserRow | None:
        if root.actor_id is None:
            return None
        return await user_node(info.context, root.actor_id)

    @strawberry.field(
        description="The actor's name, shown to everyone who may read the event "
        "(a patient reading who saw their record included); null when unknown."
    )
    @staticmethod
    async def actor_name(
        root: strawberry.Parent[models.AuditEvent], info: Info[Context, None]
    ) -> str | None:
        found = await audit_actor(info.context, root.actor_id)
        return found.full_name if found else None

    @strawberry.field(description="The actor's role; null when unknown.")
    @staticmethod
    async def actor_role(
        root: strawberry.Parent[models.AuditEvent], info: Info[Context, None]
    ) -> Role | None:
        found = await audit_actor(info.context, root.actor_id)
        return found.role if found else None

    @strawberry.field(
        description="The global ID of the object concerned; null when the event"
        " concerns several (a READ of a list: see entityIds) or none."
    )
    @staticmethod
    def entity_id(root: strawberry.Parent[models.AuditEvent]) -> strawberry.ID | None:
        if root.entity_id is None:
            return None
        return strawberry.ID(encode_id(root.entity_type, root.entity_id))

    @strawberry.field(
        description="Every object concerned: all the objects of one type and"
        " patient that one request read together, or the one object."
    )
    @staticmethod
    def entity_ids(root: strawberry.Parent[models.AuditEvent]) -> list[strawberry.ID]:
        ids = root.entity_ids or ([root.entity_id] if root.entity_id else [])
        return [strawberry.ID(encode_id(root.entity_type, i)) for i in ids]

    @strawberry.field(
        description="The patient concerned, when the caller may read that patient."
    )
    @staticmethod
    async def patient(
        root: strawberry.Parent[models.AuditEvent], info: Info[Context, None]
    ) -> PatientRow | None:
        if root.patient_id is None:
            return None
        # scoped and itself audited: an unassigned admin sees null here
        return await patient_resolvers.patient_by_id(info, root.patient_id)

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Context, None]) -> bool:
        return isinstance(obj, models.AuditEvent | cls)


if TYPE_CHECKING:  # the row an AuditEvent is read from (schema/rows.py)
    AuditEventRow: TypeAlias = models.AuditEvent
else:
    AuditEventRow = AuditEventType


async def _resolve(info: Info[Context, None], value: uuid.UUID) -> Any:
    return await audit_event_node(info.context, value)


register_node("AuditEvent", _resolve, models.AuditEvent)
