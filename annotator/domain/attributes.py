"""Attribute values: checking a value against its definition."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from annotator.domain.model import AttributeDef
from annotator.domain.wording import one_of, quoted
from annotator.errors import ValidationError

#: Whole numbers are stored as JSON by a 64-bit encoder; larger ones cannot be saved.
MAX_INTEGER = 2**63 - 1


def check_value(definition: AttributeDef, value: Any) -> Any:
    """Return value if it fits the definition (None clears it), else raise ValidationError."""
    if value is None:
        return None
    name, kind = definition.key, definition.value_type
    if kind == "choice":
        if not isinstance(value, str) or value not in definition.choices:
            choices = one_of(definition.choices)
            raise ValidationError(f"{name}: {quoted(value)} is not one of {choices}")
    elif kind == "multi_choice":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError(f"{name}: expected a list of choices, got {quoted(value)}")
        unknown = [v for v in value if v not in definition.choices]
        if unknown:
            raise ValidationError(
                f"{name}: {one_of(unknown)} not among {one_of(definition.choices)}"
            )
        if len(set(value)) != len(value):
            raise ValidationError(f"{name}: a choice is listed twice")
    elif kind == "text":
        if not isinstance(value, str):
            raise ValidationError(f"{name}: expected text, got {quoted(value)}")
    elif kind == "number":
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ValidationError(f"{name}: expected a number, got {quoted(value)}")
        if isinstance(value, int) and not -MAX_INTEGER <= value <= MAX_INTEGER:
            raise ValidationError(f"{name}: {value} is too large a whole number")
    elif kind == "date":
        if not isinstance(value, str):
            raise ValidationError(f"{name}: expected a date YYYY-MM-DD, got {quoted(value)}")
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValidationError(f"{name}: {quoted(value)} is not a date YYYY-MM-DD") from None
        if len(value) != 10:
            raise ValidationError(f"{name}: {quoted(value)} is not a date YYYY-MM-DD")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise ValidationError(f"{name}: expected yes or no, got {quoted(value)}")
    else:
        raise ValidationError(f"{name}: unknown attribute type {quoted(kind)}")
    return value


def check_attributes(
    definitions: tuple[AttributeDef, ...], values: Mapping[str, Any]
) -> dict[str, Any]:
    """Validate a whole attribute mapping; None values are dropped, unknown keys refused."""
    by_key = {d.key: d for d in definitions}
    result: dict[str, Any] = {}
    for key, value in values.items():
        definition = by_key.get(key)
        if definition is None:
            raise ValidationError(f"unknown attribute {quoted(key)}")
        checked = check_value(definition, value)
        if checked is not None:
            result[key] = checked
    return result


def missing_required(definitions: tuple[AttributeDef, ...], values: Mapping[str, Any]) -> list[str]:
    """Keys of required attributes that have no value (reported, never blocking an edit)."""
    return [d.key for d in definitions if d.required and values.get(d.key) in (None, "", [])]


def fit_attributes(
    definitions: tuple[AttributeDef, ...], values: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split values into those the definitions hold with a valid value (kept, as checked) and
    the rest (dropped: an attribute the definitions lack, or a value they refuse), as a retag
    to another tag type needs: "kind: state" fits no place kind, "kind: city" does."""
    by_key = {d.key: d for d in definitions}
    kept: dict[str, Any] = {}
    dropped: dict[str, Any] = {}
    for key, value in values.items():
        definition = by_key.get(key)
        try:
            checked = None if definition is None else check_value(definition, value)
        except ValidationError:
            checked = None
        if checked is not None:
            kept[key] = checked
        elif value is not None:
            dropped[key] = value
    return kept, dropped
