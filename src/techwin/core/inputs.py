"""The base of every input shape (API bodies, form and CLI input)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator


def blank_to_none(value: object) -> object:
    """A blank string means 'not given'; any other value passes as it is."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


class InputModel(BaseModel):
    """Input strips text, refuses unknown fields and treats blank strings as 'not given', so a
    required business field left blank gets the rule's sentence rather than a type error."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _blanks(cls, value: object) -> object:
        return blank_to_none(value)
