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
