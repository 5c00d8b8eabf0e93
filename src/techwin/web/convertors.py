"""Path parameters of the web routes."""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

MAX_ID = 999_999_999


class RecordId(Convertor[int]):
    """A record id in a path: 1 to 9 digits, so an absurd number is a 404, not a database error
    (ids are 32-bit integers in PostgreSQL)."""

    regex = "[0-9]{1,9}"

    def convert(self, value: str) -> int:
        """The id as a number."""
        return int(value)

    def to_string(self, value: int) -> str:
        """The id as path text."""
        return str(value)


register_url_convertor("id", RecordId())
