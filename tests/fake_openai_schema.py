"""The JSON-schema half of the fake OpenAI server: the rules strict structured
outputs enforce on a request's schema, and an answer generated FROM that
schema, steered by markers in the transcript.

Rules copied (OpenAI guide "Structured Outputs", section "Supported schemas",
and the API reference of ``response_format`` / ``text.format``):

- ``json_schema.name`` is required: a-z, A-Z, 0-9, ``_`` and ``-``, at most 64.
- The root is an object, not ``anyOf``.
- Every object has ``additionalProperties: false`` and ``required`` listing
  every key of ``properties`` (and nothing else).
- Only the supported keywords: ``type``, ``properties``, ``required``,
  ``additionalProperties``, ``items``, ``enum``, ``const``, ``anyOf``,
  ``$ref``, ``$defs``/``definitions``, ``description``, ``title``; strings
  ``pattern`` and ``format`` (the listed formats); numbers ``multipleOf``,
  ``maximum``, ``exclusiveMaximum``, ``minimum``, ``exclusiveMinimum``;
  arrays ``minItems``, ``maxItems``. Anything else (``allOf``, ``not``,
  ``if``/``then``/``else``, ``default``, ``minLength``, ``uniqueItems``, …)
  is refused.
- ``$ref`` must resolve inside the schema and stand alone (no siblings: the
  SDK inlines a ``$ref`` that has siblings for that reason).
- At most 10 levels of object nesting and 5,000 properties, 1,000 enum values.

An error is raised as ``SchemaRefused`` with the API's wording
("Invalid schema for response_format 'NAME': In context=(...), ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

TYPES = {"string", "number", "integer", "boolean", "object", "array", "null"}
ANNOTATIONS = {"description", "title"}
STRUCTURE = {"type", "properties", "required", "additionalProperties", "items"}
STRUCTURE |= {"enum", "const", "anyOf", "$ref", "$defs", "definitions"}
STRING_KW = {"pattern", "format"}
NUMBER_KW = {"multipleOf", "maximum", "exclusiveMaximum", "minimum"}
NUMBER_KW |= {"exclusiveMinimum"}
ARRAY_KW = {"minItems", "maxItems"}
SUPPORTED = ANNOTATIONS | STRUCTURE | STRING_KW | NUMBER_KW | ARRAY_KW
FORMATS = {"date-time", "time", "date", "duration", "email", "hostname"}
FORMATS |= {"ipv4", "ipv6", "uuid"}
NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class SchemaRefused(Exception):
    pass


@dataclass
class _Walk:
    name: str
    root: dict[str, Any]
    properties: int = 0
    enums: int = 0
    seen_refs: set[str] = field(default_factory=set)

    def refuse(self, path: tuple[str, ...], why: str) -> SchemaRefused:
        context = (
            "(" + ", ".join(repr(p) for p in path) + (",)" if len(path) == 1 else ")")
        )
        return SchemaRefused(
            f"Invalid schema for response_format '{self.name}': "
            f"In context={context}, {why}"
        )


def resolve(root: dict[str, Any], ref: str) -> Any:
    if ref == "#":
        return root
    if not ref.startswith("#/"):
        return None
    node: Any = root
    for part in ref[2:].split("/"):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def check_strict(name: Any, schema: Any) -> None:
    """Raise SchemaRefused where strict mode would refuse the schema."""
    if not isinstance(name, str) or not NAME.match(name):
        raise SchemaRefused(
            "Invalid 'response_format.json_schema.name': string does not match "
            "pattern. Expected a string that matches the pattern "
            "'^[a-zA-Z0-9_-]+$' of at most 64 characters."
        )
    if not isinstance(schema, dict):
        raise SchemaRefused(
            f"Invalid schema for response_format '{name}': not an object."
        )
    walk = _Walk(name, schema)
    if schema.get("type") != "object" or "anyOf" in schema:
        raise walk.refuse(
            (),
            "schema must be a JSON Schema of 'type: \"object\"', "
            f"got 'type: \"{schema.get('type')}\"'.",
        )
    _check(walk, schema, (), 0)
    if walk.properties > 5000:
        raise walk.refuse((), "the schema has more than 5000 object properties.")
    if walk.enums > 1000:
        raise walk.refuse((), "the schema has more than 1000 enum values.")


def _check(walk: _Walk, node: Any, path: tuple[str, ...], depth: int) -> None:
    if not isinstance(node, dict):
        raise walk.refuse(path, "schema must be an object.")
    for key in node:
        if key not in SUPPORTED:
            raise walk.refuse(path, f"'{key}' is not permitted.")
    for defs_key in ("$defs", "definitions"):
        defs = node.get(defs_key)
        if defs is not None:
            if not isinstance(defs, dict):
                raise walk.refuse(path, f"'{defs_key}' must be an object.")
            for def_name, sub in defs.items():
                _check(walk, sub, (*path, defs_key, def_name), depth)
    if "$ref" in node:
        ref = node["$ref"]
        extra = set(node) - {"$ref", "$defs", "definitions"}
        if extra:
            raise walk.refuse(
                path,
                "'$ref' cannot have keywords {"
                + ", ".join(repr(k) for k in sorted(extra))
                + "}.",
            )
        if not isinstance(ref, str) or resolve(walk.root, ref) is None:
            raise walk.refuse(path, f"reference '{ref}' could not be resolved.")
        return
    if "anyOf" in node:
        variants = node["anyOf"]
        if not isinstance(variants, list) or not variants:
            raise walk.refuse(path, "'anyOf' must be a non-empty array.")
        for i, sub in enumerate(variants):
            _check(walk, sub, (*path, "anyOf", str(i)), depth)
    types = node.get("type")
    listed = types if isinstance(types, list) else [types] if types else []
    for t in listed:
        if t not in TYPES:
            raise walk.refuse(path, f"'{t}' is not a valid type.")
    if "enum" in node:
        if not isinstance(node["enum"], list) or not node["enum"]:
            raise walk.refuse(path, "'enum' must be a non-empty array.")
        walk.enums += len(node["enum"])
    if not listed and not {"enum", "const", "anyOf"} & set(node):
        raise walk.refuse(path, "schema must have a 'type' key.")
    fmt = node.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise walk.refuse(path, f"format '{fmt}' is not supported.")
    if "object" in listed:
        _check_object(walk, node, path, depth)
    if "array" in listed and "items" in node:
        _check(walk, node["items"], (*path, "items"), depth)


def _check_object(
    walk: _Walk, node: dict[str, Any], path: tuple[str, ...], depth: int
) -> None:
    if depth + 1 > 10:
        raise walk.refuse(path, "the schema nests objects more than 10 levels deep.")
    if node.get("additionalProperties") is not False:
        raise walk.refuse(
            path,
            "'additionalProperties' is required to be supplied and to be false.",
        )
    props = node.get("properties", {})
    if not isinstance(props, dict):
        raise walk.refuse(path, "'properties' must be an object.")
    required = node.get("required")
    missing = [k for k in props if not isinstance(required, list) or k not in required]
    if not isinstance(required, list) or missing:
        raise walk.refuse(
            path,
            "'required' is required to be supplied and to be an array including "
            "every key in properties. Missing "
            + (", ".join(f"'{k}'" for k in missing) or "'required'")
            + ".",
        )
    extra = [k for k in required if k not in props]
    if extra:
        raise walk.refuse(
            path,
            "Extra required key " + ", ".join(f"'{k}'" for k in extra) + " supplied.",
        )
    walk.properties += len(props)
    for key, sub in props.items():
        _check(walk, sub, (*path, "properties", key), depth + 1)
