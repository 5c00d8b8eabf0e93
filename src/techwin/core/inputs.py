"""The base of every input shape (API bodies, form and CLI input)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator


def blank_to_none(value: object) -> object:
    """A blank string means 'not given'; any other value passes as it is."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


# Optional text stored as "" rather than NULL (a contact's first name): blank or missing is "".
BlankableText = Annotated[str, BeforeValidator(lambda v: "" if v is None else v)]


class InputModel(BaseModel):
    """Input strips text, refuses unknown fields and treats blank strings as 'not given', so a
    required business field left blank gets the rule's sentence rather than a type error."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _blanks(cls, value: object) -> object:
        return blank_to_none(value)


_REQUIRED_WHEN_NONE = ("string_type", "int_type", "decimal_type", "float_type", "date_type")


def error_reason(error: Mapping[str, Any]) -> str:
    """One validation error as a reason people read beside a field ("this field is required",
    "must be 100 or less") rather than the validator's own wording."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing" or (error.get("input") is None and kind in _REQUIRED_WHEN_NONE):
        return "this field is required"
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "this field is required"
    bounds = {
        "less_than_equal": ("le", "must be {} or less"),
        "greater_than_equal": ("ge", "must be {} or more"),
        "less_than": ("lt", "must be less than {}"),
        "greater_than": ("gt", "must be more than {}"),
        "string_too_short": ("min_length", "must be at least {} characters"),
        "string_too_long": ("max_length", "must be at most {} characters"),
        "too_long": ("max_length", "must have at most {} items"),
    }
    if kind in bounds and bounds[kind][0] in ctx:
        key, text = bounds[kind]
        bound = ctx[key]
        return text.format(int(bound) if isinstance(bound, float) and bound.is_integer() else bound)
    if kind in ("int_parsing", "int_from_float", "decimal_parsing", "float_parsing"):
        return "must be a number"
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return "must be a date (YYYY-MM-DD)"
    if kind in ("datetime_parsing", "datetime_from_date_parsing"):
        return "must be a date and time (YYYY-MM-DD HH:MM)"
    if kind == "string_pattern_mismatch":
        if str(ctx.get("pattern", "")).startswith("^[a-z]"):
            return "use lower-case letters, digits and underscores, starting with a letter"
        return "is not in the expected form"
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ").removeprefix("value error, ")
