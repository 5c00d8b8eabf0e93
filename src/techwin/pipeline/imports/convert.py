"""Turn one CSV row into field values, custom values and row errors (pure: no database)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from techwin.core.money import CURRENCIES
from techwin.pipeline.enums import CustomFieldType, LifecycleStage, Seniority
from techwin.pipeline.imports.fields import MAX_TEXT, REQUIRED, Kind
from techwin.pipeline.imports.mapping import Plan

TRUE = frozenset({"true", "yes", "y", "1", "won", "converted", "x"})
FALSE = frozenset({"false", "no", "n", "0", "lost", "not converted"})
SENIORITY_WORDS = {
    "c-level": Seniority.C_LEVEL,
    "c_level": Seniority.C_LEVEL,
    "executive": Seniority.C_LEVEL,
    "vp": Seniority.VP,
    "vice president": Seniority.VP,
    "director": Seniority.DIRECTOR,
    "manager": Seniority.MANAGER,
    "ic": Seniority.IC,
    "individual contributor": Seniority.IC,
}
CATEGORY_MAX_DISTINCT = 50
# A pragmatic address check (fast enough for a million rows): one @, no spaces or brackets, a
# domain of dot-separated labels that do not start or end with a hyphen.
_EMAIL = re.compile(
    r"^[^\s@\"(),:;<>\[\]\\]{1,64}@(?=.{1,253}$)"
    r"(?:[^\s@.\-_][^\s@._]*(?<!-)\.)+[^\s@.\-_0-9][^\s@._]*(?<!-)$"
)


class CellError(ValueError):
    """A cell that cannot be read; the message says why."""


def parse_date(text: str, formats: list[str]) -> date:
    """A date in one of the declared formats (or ISO)."""
    return parse_datetime(text, formats).date()


def parse_datetime(text: str, formats: list[str]) -> datetime:
    """A timestamp in one of the declared formats (or ISO); naive values are taken as UTC."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            pass
        else:
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
    for fmt in formats:
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CellError(
            f"{text!r} is not a date in any of the formats {', '.join(formats)}"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_number(text: str) -> Decimal:
    """A number, tolerating thousands separators, currency signs and a decimal comma."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").lstrip("$€£")
    if (
        "," in cleaned
        and "." not in cleaned
        and cleaned.count(",") == 1
        and len(cleaned.split(",")[1]) != 3
    ):
        cleaned = cleaned.replace(",", ".")
    cleaned = cleaned.replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise CellError(f"{text!r} is not a number")
    return value


def parse_bool(text: str) -> bool:
    """Yes/no in the usual spellings."""
    lowered = text.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise CellError(f"{text!r} is not yes/no")


def _mapped(value: str, table: dict[str, str] | None) -> str:
    if not table:
        return value
    if value in table:
        return table[value]
    lowered = {k.lower(): v for k, v in table.items()}
    return lowered.get(value.lower(), value)


def read_cell(
    kind: Kind, field_name: str, text: str, plan: Plan, stage_keys: frozenset[str]
) -> Any:
    """The value of one cell for a built-in field, or CellError."""
    if kind is Kind.TEXT:
        limit = MAX_TEXT.get(field_name, 200)
        if len(text) > limit:
            raise CellError(f"is {len(text)} characters long; at most {limit}")
        return text
    if kind is Kind.EMAIL:
        if _EMAIL.match(text) is None:
            raise CellError(f"{text!r} is not a valid email address")
        return text.lower()
    if kind is Kind.INT:
        number = parse_number(text)
        if number != number.to_integral_value() or number < 0 or number > 10_000_000_000:
            raise CellError(f"{text!r} is not a whole number ≥ 0")
        return int(number)
    if kind is Kind.MONEY:
        number = parse_number(text)
        if number < 0:
            raise CellError("cannot be negative")
        return number.quantize(Decimal("0.01"))
    if kind is Kind.PERCENT:
        number = parse_number(text.rstrip("%"))
        if not 0 <= number <= 100:
            raise CellError("must be between 0 and 100")
        return int(number)
    if kind is Kind.DATE:
        return parse_date(text, plan.date_formats)
    if kind is Kind.DATETIME:
        return parse_datetime(text, plan.date_formats)
    if kind is Kind.BOOL:
        return parse_bool(text)
    if kind is Kind.CURRENCY:
        code = text.upper()
        if code not in CURRENCIES:
            raise CellError(f"unknown currency {text!r}")
        return code
    if kind is Kind.SENIORITY:
        try:
            return Seniority(text.lower())
        except ValueError:
            if text.lower() in SENIORITY_WORDS:
                return SENIORITY_WORDS[text.lower()]
            raise CellError(f"unknown seniority {text!r}") from None
    if kind is Kind.LIFECYCLE:
        value = _mapped(text, plan.values.get(field_name))
        try:
            return LifecycleStage(value.lower())
        except ValueError:
            raise CellError(
                f"value {text!r} is not mapped to a lifecycle stage; add it to values.{field_name}"
            ) from None
    if kind is Kind.DEAL_STAGE:
        value = _mapped(text, plan.values.get(field_name))
        if value not in stage_keys:
            raise CellError(
                f"value {text!r} is not mapped to a pipeline stage; add it to values.{field_name}"
            )
        return value
    return text  # owner and account names are resolved against the database later


@dataclass
class RowResult:
    """One converted row."""

    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    custom: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)


class RowReader:
    """A plan compiled for speed: one reader per column, required columns known up front."""

    def __init__(self, plan: Plan, stage_keys: frozenset[str]) -> None:
        self.custom: list[tuple[str, str]] = []
        self.fields: list[tuple[str, str, Callable[[str], Any]]] = []
        for column, target in plan.targets.items():
            if target.custom is not None:
                self.custom.append((column, target.custom))
            elif target.field is not None and target.kind is not None:
                self.fields.append(
                    (column, target.field, _reader(target.kind, target.field, plan, stage_keys))
                )
        self.required = [(f, plan.column_of(f) or f) for f in REQUIRED[plan.entity]]

    def convert(self, line: int, raw: dict[str, str | None]) -> RowResult:
        """Read every mapped cell of a row; errors name the column and the reason."""
        result = RowResult(line=line)
        if "__error__" in raw:
            result.errors.append(("(row)", str(raw["__error__"])))
            return result
        fields = result.fields
        for column, field_name, read in self.fields:
            text = raw.get(column)
            if text is None:
                continue
            try:
                fields[field_name] = read(text)
            except CellError as exc:
                result.errors.append((column, str(exc)))
        for column, key in self.custom:
            text = raw.get(column)
            if text is not None:
                result.custom[key] = text
        for required, column in self.required:
            if required not in fields and not any(c == column for c, _ in result.errors):
                result.errors.append((column, "is required"))
        return result


def _reader(
    kind: Kind, field_name: str, plan: Plan, stage_keys: frozenset[str]
) -> Callable[[str], Any]:
    if kind is Kind.TEXT:
        limit = MAX_TEXT.get(field_name, 200)

        def read_text(text: str) -> str:
            if len(text) > limit:
                raise CellError(f"is {len(text)} characters long; at most {limit}")
            return text

        return read_text
    return lambda text: read_cell(kind, field_name, text, plan, stage_keys)


def convert_row(
    line: int, raw: dict[str, str | None], plan: Plan, stage_keys: frozenset[str]
) -> RowResult:
    """Read every mapped cell of one row (for one-off use; imports use a RowReader)."""
    return RowReader(plan, stage_keys).convert(line, raw)


@dataclass
class CustomStats:
    """What one custom column's values look like, to infer its type."""

    seen: int = 0
    numbers: int = 0
    bools: int = 0
    dates: int = 0
    distinct: Counter[str] = field(default_factory=Counter)

    def add(self, text: str, date_formats: list[str]) -> None:
        """Count one non-empty value."""
        self.seen += 1
        if len(self.distinct) <= CATEGORY_MAX_DISTINCT:
            self.distinct[text] += 1
        try:
            parse_number(text)
            self.numbers += 1
        except CellError:
            pass
        if text.strip().lower() in TRUE | FALSE:
            self.bools += 1
        try:
            parse_datetime(text, date_formats)
            self.dates += 1
        except CellError:
            pass

    def infer(self) -> CustomFieldType:
        """Boolean, number, date, category (few distinct values) or text."""
        if not self.seen:
            return CustomFieldType.TEXT
        if self.bools == self.seen and len(self.distinct) <= 4:
            return CustomFieldType.BOOLEAN
        if self.numbers == self.seen:
            return CustomFieldType.NUMBER
        if self.dates == self.seen:
            return CustomFieldType.DATE
        if len(self.distinct) <= CATEGORY_MAX_DISTINCT and len(self.distinct) * 4 <= self.seen:
            return CustomFieldType.CATEGORY
        return CustomFieldType.TEXT


def custom_value(text: str, field_type: CustomFieldType, date_formats: list[str]) -> Any:
    """A custom cell as stored: numbers as floats, booleans, ISO dates, or text."""
    if field_type is CustomFieldType.NUMBER:
        return float(parse_number(text))
    if field_type is CustomFieldType.BOOLEAN:
        return parse_bool(text)
    if field_type is CustomFieldType.DATE:
        return parse_date(text, date_formats).isoformat()
    return text[:1000]
