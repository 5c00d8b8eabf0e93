"""Forms and filters: what a person typed, the errors to show beside each input, and the
savepoint that keeps the stored record unchanged when a change is refused."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from techwin.core.inputs import error_reason
from techwin.core.pagination import MAX_PAGE_SIZE, PageRequest
from techwin.errors import TechwinError
from techwin.web.convertors import MAX_ID
from techwin.web.security import CSRF_FIELD

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
E = TypeVar("E", bound=Enum)

PAGE_SIZES = (25, 50, 100)


def display(value: object) -> str:
    """A stored value as an input shows it."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else f"{value:f}"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def as_id(text: str) -> int | None:
    """A record id typed or posted as text, if it is a plausible one."""
    text = text.strip()
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


@dataclass
class FormState:
    """The values a form shows, and what is wrong with them."""

    values: dict[str, str | list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None
    conflict: dict[str, Any] | None = None
    status: int = 422
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def blank(cls, **values: object) -> FormState:
        """A new form, optionally pre-filled."""
        return cls(values={k: _shown(v) for k, v in values.items()})

    @classmethod
    def from_record(cls, record: object, names: Iterable[str], **extra: object) -> FormState:
        """An edit form showing ``record``'s stored values."""
        values = {name: _shown(getattr(record, name, None)) for name in names}
        values.update({k: _shown(v) for k, v in extra.items()})
        return cls(values=values)

    @classmethod
    def from_form(cls, form: FormData, *, lists: Iterable[str] = ()) -> FormState:
        """The values a person posted (the CSRF token is not a value)."""
        multi = set(lists)
        values: dict[str, str | list[str]] = {name: [] for name in multi}
        for key in form:
            if key == CSRF_FIELD:
                continue
            if key in multi:
                values[key] = [v.strip() for v in form.getlist(key) if isinstance(v, str)]
            else:
                raw = form.get(key)
                values[key] = raw if isinstance(raw, str) else ""
        return cls(values=values)

    def value(self, name: str) -> str:
        """The text an input shows."""
        value = self.values.get(name, "")
        return value if isinstance(value, str) else ",".join(value)

    def chosen(self, name: str) -> list[str]:
        """The options selected in a multiple select."""
        value = self.values.get(name, [])
        return [value] if isinstance(value, str) else list(value)

    def checked(self, name: str) -> bool:
        """Whether a checkbox is ticked."""
        return self.value(name).lower() in ("true", "on", "1", "yes")

    def error(self, name: str) -> str | None:
        """What is wrong with one input."""
        return self.errors.get(name)

    @property
    def ok(self) -> bool:
        """Nothing to complain about."""
        return not self.errors and self.message is None

    def data(self, schema: type[BaseModel], **fixed: object) -> dict[str, Any]:
        """The posted values the schema knows, ready for validation."""
        names = schema.model_fields
        data: dict[str, Any] = {}
        for key, value in self.values.items():
            if key not in names:
                continue
            data[key] = [v for v in value if v] if isinstance(value, list) else value
        data.update(fixed)
        return data

    def require(self, *names: str) -> None:
        """Mark blank required inputs."""
        for name in names:
            if not self.value(name).strip():
                self.errors.setdefault(name, "this field is required")

    def add_validation(self, exc: ValidationError) -> None:
        """Place each pydantic error beside its input."""
        for item in exc.errors():
            loc = item.get("loc", ())
            name = str(loc[0]) if loc else ""
            reason = error_reason(item)
            if name and name in self.values:
                self.errors.setdefault(name, reason)
            else:
                self.message = f"{name or 'form'}: {reason}"

    def add_error(self, exc: TechwinError) -> None:
        """Place a service's refusal beside its input, or at the top of the form."""
        self.status = exc.status
        self.extra = dict(exc.extra)
        if exc.field == "version" and isinstance(exc.extra.get("current"), dict):
            current: dict[str, Any] = exc.extra["current"]
            self.conflict = current
            self.message = exc.message
            if "version" in current:
                self.values["version"] = str(current["version"])
            return
        if exc.field and exc.field in self.values:
            self.errors[exc.field] = exc.message
        else:
            self.message = exc.message

    def check_ids(self) -> None:
        """References to records (``*_id``, ``*_ids``) must be plausible ids, not huge numbers."""
        for name, value in self.values.items():
            if not name.endswith(("_id", "_ids")):
                continue
            for item in [value] if isinstance(value, str) else value:
                if item.strip().isdigit() and not 0 < int(item) <= MAX_ID:
                    self.errors.setdefault(name, f"there is no record with id {item.strip()}")

    def summary(self) -> list[tuple[str, str]]:
        """Every field error, for the box at the top of the form."""
        return [(name.replace("_", " "), reason) for name, reason in self.errors.items()]


def _shown(value: object) -> str | list[str]:
    if isinstance(value, list | tuple | set):
        return [display(v) for v in value]
    return display(value)


def attempt(session: Session, state: FormState, action: Callable[[], T]) -> T | None:
    """Run ``action`` in a savepoint; on bad input or a refusal, undo it and note the errors."""
    state.check_ids()
    if not state.ok:
        return None
    try:
        with session.begin_nested():
            return action()
    except ValidationError as exc:
        state.add_validation(exc)
    except TechwinError as exc:
        state.add_error(exc)
    return None


def changed_only(
    schema: type[M], parsed: M, current: Mapping[str, object], *, keep: Iterable[str] = ("version",)
) -> M:
    """A partial update with only the fields whose value differs from the stored one.

    An edit form posts every input; a person changed only some of them. Sending just those
    keeps derived values (TCV from ACV and term) derivable instead of clashing with stale ones.
    """
    kept = set(keep)
    fields = parsed.model_dump(exclude_unset=True)
    changes = {
        key: value
        for key, value in fields.items()
        if key in kept or _normalise(value) != _normalise(current.get(key))
    }
    return schema.model_validate(changes)


def _normalise(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return sorted(_normalise(v) for v in value)  # type: ignore[type-var]
    if isinstance(value, str) and not value.strip():
        return None
    return value


@dataclass
class Filters:
    """Query-string filters of a list view, parsed leniently: a bad value is reported, not a 500."""

    params: Mapping[str, object]
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        """A trimmed text filter, None when blank."""
        value = self.params.get(name)
        return value.strip()[:200] or None if isinstance(value, str) else None

    def integer(self, name: str) -> int | None:
        """A whole-number filter (ids)."""
        value = self.text(name)
        if value is None:
            return None
        try:
            number = int(value)
        except ValueError:
            self.errors[name] = f"{name.replace('_', ' ')}: '{value}' is not a number"
            return None
        if not 0 < number <= MAX_ID:
            self.errors[name] = f"{name.replace('_', ' ')}: {number} is out of range"
            return None
        return number

    def number(self, name: str, *, low: float = -1e6, high: float = 1e6) -> float | None:
        """A decimal filter (scores) within ``low``–``high``."""
        value = self.text(name)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            self.errors[name] = f"{name.replace('_', ' ')}: '{value}' is not a number"
            return None
        if not low <= number <= high:
            self.errors[name] = (
                f"{name.replace('_', ' ')}: {value} is out of range ({low:g} to {high:g})"
            )
            return None
        return number

    def day(self, name: str) -> date | None:
        """A date filter (YYYY-MM-DD)."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.errors[name] = (
                f"{name.replace('_', ' ')}: '{value}' is not a date (use YYYY-MM-DD)"
            )
            return None

    def choice(self, name: str, enum: type[E]) -> E | None:
        """A filter restricted to an enum's values."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in enum)
            self.errors[name] = f"{name.replace('_', ' ')}: '{value}' is not one of {allowed}"
            return None

    def one_of(self, name: str, allowed: Iterable[str], default: str) -> str:
        """A filter restricted to known keys (sort orders), falling back to ``default``."""
        value = self.text(name)
        return value if value is not None and value in set(allowed) else default

    def flag(self, name: str) -> bool:
        """A checkbox filter."""
        return (self.text(name) or "").lower() in ("1", "true", "on", "yes")

    def page(self, default_size: int = 25) -> PageRequest:
        """Which page of the list, and how many rows on it."""
        try:
            number = max(1, min(int(self.text("page") or 1), 1_000_000))
        except ValueError:
            number = 1
        try:
            size = int(self.text("size") or default_size)
        except ValueError:
            size = default_size
        size = max(1, min(size, MAX_PAGE_SIZE))
        cursor = self.text("cursor")
        return PageRequest(page=number, size=size, cursor=cursor)
