"""Custom fields: list them, rename and retype them (admins), and filter records by them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from techwin.auth.audit import record_audit
from techwin.auth.models import User
from techwin.auth.permissions import require_admin
from techwin.errors import InvalidInput, NotFound
from techwin.pipeline.enums import CustomEntity, CustomFieldType
from techwin.pipeline.imports.convert import CellError, custom_value
from techwin.pipeline.models import Account, Contact, CustomField, Opportunity

MODELS: dict[CustomEntity, Any] = {
    CustomEntity.ACCOUNT: Account,
    CustomEntity.CONTACT: Contact,
    CustomEntity.OPPORTUNITY: Opportunity,
}
OPERATORS = ("eq", "gte", "lte", "contains")


def list_custom_fields(
    session: Session, *, entity: CustomEntity | None = None
) -> list[CustomField]:
    """Custom fields, by record type then creation."""
    query = select(CustomField).order_by(CustomField.entity, CustomField.id)
    if entity is not None:
        query = query.where(CustomField.entity == entity.value)
    return list(session.scalars(query))


def update_custom_field(
    session: Session,
    *,
    actor: User | None,
    field_id: int,
    label: str | None = None,
    field_type: CustomFieldType | None = None,
) -> CustomField:
    """Rename a custom field or change its type; every stored value must fit the new type."""
    require_admin(actor)
    field = session.get(CustomField, field_id)
    if field is None:
        raise NotFound(f"custom field {field_id} does not exist", field="field_id")
    before = {"label": field.label, "field_type": field.field_type.value}
    if label is not None:
        if not label.strip() or len(label) > 120:
            raise InvalidInput("a label has 1 to 120 characters", field="label")
        field.label = label.strip()
    if field_type is not None and field_type is not field.field_type:
        _retype(session, field, field_type)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="custom_field.update",
        entity_type="custom_field",
        entity_id=field.id,
        summary=f"changed custom field {field.key}",
        before=before,
        after={"label": field.label, "field_type": field.field_type.value},
    )
    return field


def _retype(session: Session, field: CustomField, field_type: CustomFieldType) -> None:
    model = MODELS[CustomEntity(field.entity)]
    column: InstrumentedAttribute[Any] = model.custom
    bad = 0
    example = ""
    converted: list[tuple[int, dict[str, Any]]] = []
    for record_id, custom in session.execute(
        select(model.id, column).where(column[field.key].is_not(None))
    ):
        value = custom.get(field.key)
        if value is None:
            continue
        try:
            new = custom_value(
                str(value).lower() if isinstance(value, bool) else str(value),
                field_type,
                ["%Y-%m-%d"],
            )
        except CellError:
            bad += 1
            example = example or str(value)
            continue
        converted.append((record_id, {**custom, field.key: new}))
    if bad:
        raise InvalidInput(
            f"{bad} stored value(s) are not a {field_type.value} (e.g. {example!r}); "
            "fix them first",
            field="field_type",
        )
    for record_id, custom in converted:
        session.execute(model.__table__.update().where(model.id == record_id).values(custom=custom))
    field.field_type = field_type


def custom_condition(
    model: Any, field: CustomField, operator: str, value: str
) -> ColumnElement[bool]:
    """A WHERE clause comparing a custom field with ``value`` the way its type reads."""
    if operator not in OPERATORS:
        raise InvalidInput(
            f"unknown operator {operator!r}; use {', '.join(OPERATORS)}", field="custom"
        )
    element = model.custom[field.key]
    if field.field_type is CustomFieldType.NUMBER:
        try:
            number = float(value)
        except ValueError:
            raise InvalidInput(
                f"{field.key} is a number; {value!r} is not", field="custom"
            ) from None
        target: ColumnElement[float] = element.as_float()
        if operator == "gte":
            return target >= number
        if operator == "lte":
            return target <= number
        return target == number
    if field.field_type is CustomFieldType.BOOLEAN:
        wanted = value.strip().lower() in ("true", "yes", "1")
        flag: ColumnElement[bool] = element.as_boolean()
        return flag == wanted
    text: ColumnElement[str] = element.as_string()
    if operator == "contains":
        return text.ilike(f"%{value}%")
    if operator == "gte":
        return text >= value
    if operator == "lte":
        return text <= value
    return text == value


def parse_filters(
    session: Session, entity: CustomEntity, specs: list[str]
) -> list[ColumnElement[bool]]:
    """``key:op:value`` strings (e.g. ``annual_revenue:gte:1000000``) as WHERE clauses."""
    if not specs:
        return []
    fields = {f.key: f for f in list_custom_fields(session, entity=entity)}
    clauses = []
    for spec in specs:
        parts = spec.split(":", 2)
        if len(parts) == 2:
            parts = [parts[0], "eq", parts[1]]
        if len(parts) != 3:
            raise InvalidInput(
                f"write a custom filter as key:operator:value, not {spec!r}", field="custom"
            )
        key, operator, value = parts
        if key not in fields:
            raise InvalidInput(f"no custom field {key!r} on {entity.value}s", field="custom")
        clauses.append(custom_condition(MODELS[entity], fields[key], operator, value))
    return clauses
