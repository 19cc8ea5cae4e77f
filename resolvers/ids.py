"""Opaque Relay global IDs: base64url of ``<Type>:<uuid>``."""

from __future__ import annotations

import base64
import binascii
import uuid

from services.errors import BadInput, NotFound


def encode_id(type_name: str, value: uuid.UUID | str) -> str:
    raw = f"{type_name}:{value}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_id(global_id: str) -> tuple[str, uuid.UUID]:
    """Split a global ID; malformed IDs are BAD_USER_INPUT."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, raw = base64.urlsafe_b64decode(padded).decode().partition(":")
        return type_name, uuid.UUID(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadInput("id", "Malformed ID") from None


def decode_id(global_id: str, expected: str, field: str = "id") -> uuid.UUID:
    """The UUID of a global ID that must name an ``expected`` object."""
    try:
        type_name, value = parse_id(global_id)
    except BadInput:
        raise BadInput(field, f"Malformed ID in {field}") from None
    if type_name != expected:
        raise NotFound(expected)
    return value


def encode_event_cursor(event_id: int) -> str:
    """A status event's opaque cursor: base32hex of its id as 8 big-endian
    bytes, so later events also sort after earlier ones as strings."""
    return base64.b32hexencode(event_id.to_bytes(8, "big")).decode().rstrip("=")


def decode_event_cursor(cursor: str, field: str = "after") -> int:
    """The event id in a cursor from ``encode_event_cursor``; BAD_USER_INPUT
    naming ``field`` for anything else."""
    try:
        if len(cursor) != 13:
            raise ValueError(cursor)
        raw = base64.b32hexdecode(cursor + "===")
        if len(raw) != 8:
            raise ValueError(cursor)
    except (binascii.Error, ValueError):
        raise BadInput(field, "Invalid cursor") from None
    return int.from_bytes(raw, "big")
