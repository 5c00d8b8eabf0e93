"""Scoring rules and settings: list, add, edit and delete rules with their errors shown beside
each input; the MQL threshold and default half-life; re-scoring every contact."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from techwin.deps import SessionDep, WebUser
from techwin.scoring import service as scoring
from techwin.scoring.enums import EVENT_LABELS, Operator, RuleCategory
from techwin.scoring.models import ScoringRule
from techwin.scoring.schemas import RuleIn, SettingsIn
from techwin.web.forms import Filters, FormState, attempt, display
from techwin.web.rendering import redirect, render
from techwin.web.security import FormDep

router = APIRouter()

RULE_FIELDS = (
    "label",
    "category",
    "points",
    "field",
    "operator",
    "value",
    "event_kind",
    "half_life_days",
    "max_points",
    "is_active",
    "position",
)
LABELS = {
    "label": "Label",
    "category": "Kind",
    "points": "Points",
    "field": "Field",
    "operator": "Condition",
    "value": "Value",
    "event_kind": "Event",
    "half_life_days": "Half-life (days)",
    "max_points": "Cap (points)",
    "position": "Order",
    "mql_threshold": "MQL threshold",
    "default_half_life_days": "Default half-life (days)",
}
FIELD_LABELS = {
    "title": "Job title",
    "seniority": "Seniority",
    "department": "Department",
    "source": "Lead source",
    "industry": "Industry",
    "region": "Region",
    "employee_count": "Company size (employees)",
    "email_domain": "Email domain",
}
OPERATOR_LABELS = {
    Operator.EQUALS: "is",
    Operator.IN: "is one of",
    Operator.CONTAINS: "contains any of",
    Operator.GTE: "is at least",
    Operator.LTE: "is at most",
    Operator.BETWEEN: "is between",
    Operator.IS_SET: "is known",
}
VALUE_HELP = (
    "Lists are comma-separated (vp, c_level); 'is between' takes two numbers (200, 10000) or "
    "two dates (2025-01-01, 2025-12-31); yes/no fields take yes or no; 'is known' needs no value."
)
ENTITY_LABELS = {"contact": "Contact", "account": "Account"}
YES = frozenset({"yes", "true", "y", "1"})
NO = frozenset({"no", "false", "n", "0"})
_OPTIONAL = ("field", "operator", "event_kind", "half_life_days", "max_points")


def field_labels(session: Session) -> dict[str, str]:
    """Every field a fit rule may use and its label, custom fields as ``Account · Tier``."""
    custom = {
        name: f"{ENTITY_LABELS[field.entity]} · {field.label}"
        for name, _kind, field in scoring.custom_rule_fields(session)
    }
    return {**FIELD_LABELS, **custom}


def describe_condition(rule: ScoringRule, labels: dict[str, str]) -> str:
    """A rule's condition in words: ``Seniority is one of vp, c_level``."""
    if rule.category is RuleCategory.ENGAGEMENT:
        label = EVENT_LABELS[rule.event_kind] if rule.event_kind else "an event"
        half_life = f", halves every {rule.half_life_days:g} days" if rule.half_life_days else ""
        cap = f", at most {rule.max_points:g} points" if rule.max_points else ""
        return f"Each {label.lower()}{half_life}{cap}"
    name = labels.get(rule.field or "", rule.field or "?")
    operator = OPERATOR_LABELS.get(rule.operator, "") if rule.operator else ""
    if rule.operator is Operator.IS_SET:
        return f"{name} {operator}"
    value = rule.value
    if rule.operator is Operator.BETWEEN and isinstance(value, list) and len(value) == 2:
        shown = f"{value[0]:,} and {value[1]:,}" if _numbers(value) else " and ".join(value)
    elif isinstance(value, list):
        shown = ", ".join(str(v) for v in value)
    elif isinstance(value, bool):
        shown = "yes" if value else "no"
    else:
        shown = f"{value:,}" if isinstance(value, int | float) else str(value)
    return f"{name} {operator} {shown}"


def _numbers(values: list[Any]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _number(text: str) -> int | float:
    number = float(text.replace(",", "").replace("_", "").strip())
    return int(number) if number.is_integer() else number


def parse_value(state: FormState, kinds: dict[str, str]) -> Any:
    """The rule's value as the scoring rules expect it, from the text a person typed."""
    operator, text = state.value("operator"), state.value("value").strip()
    kind = kinds.get(state.value("field"), "text")
    if state.value("category") != RuleCategory.FIT.value or operator in ("", Operator.IS_SET):
        return None
    if operator in (Operator.IN, Operator.CONTAINS):
        return [part.strip() for part in text.split(",") if part.strip()]
    if kind == "boolean":
        if text.lower() in YES | NO:
            return text.lower() in YES
        state.errors["value"] = "a yes/no field takes yes or no"
        return None
    if kind == "date":
        parts = [p.strip() for p in text.split(",") if p.strip()]
        return parts if operator == Operator.BETWEEN else text  # the rules check the dates
    if operator == Operator.BETWEEN:
        parts = [p for p in text.replace("–", ",").replace(" to ", ",").split(",") if p.strip()]
        try:
            return [_number(p) for p in parts]
        except ValueError:
            state.errors["value"] = "'is between' needs two numbers: low, high"
            return None
    if kind == "number":
        try:
            return _number(text)
        except ValueError:
            state.errors["value"] = f"'{text}' is not a number" if text else "a number is needed"
            return None
    return text


def _shown_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(display(v) for v in value)
    return display(value)


def _rule_data(state: FormState, kinds: dict[str, str]) -> dict[str, Any]:
    """The posted rule, blanks as None, the value parsed, the other kind's inputs ignored."""
    data = state.data(RuleIn)
    for name in _OPTIONAL:
        if not str(data.get(name) or "").strip():
            data[name] = None
    data["is_active"] = state.checked("is_active")
    data["position"] = state.value("position").strip() or 0
    data["value"] = parse_value(state, kinds)
    if state.value("category") == RuleCategory.FIT.value:
        data.update(event_kind=None, half_life_days=None, max_points=None)
    else:
        data.update(field=None, operator=None)
    return data


def _form_context(
    session: Session, form: FormState, rule: ScoringRule | None = None
) -> dict[str, object]:
    return {
        "form": form,
        "rule": rule,
        "labels": LABELS,
        "categories": [(c.value, c.value.capitalize()) for c in RuleCategory],
        "fields": list(field_labels(session).items()),
        "operators": [(o.value, label) for o, label in OPERATOR_LABELS.items()],
        "events": [(k.value, label) for k, label in EVENT_LABELS.items()],
        "value_help": VALUE_HELP,
    }


def _page_context(session: Session, settings_form: FormState | None = None) -> dict[str, object]:
    settings = scoring.scoring_settings(session)
    rules = scoring.list_rules(session)
    return {
        "fit_rules": [r for r in rules if r.category is RuleCategory.FIT],
        "engagement_rules": [r for r in rules if r.category is RuleCategory.ENGAGEMENT],
        "condition": partial(describe_condition, labels=field_labels(session)),
        "settings": settings,
        "settings_form": settings_form
        or FormState.from_record(settings, ("mql_threshold", "default_half_life_days")),
        "labels": LABELS,
    }


@router.get("/admin/scoring")
def scoring_page(request: Request, session: SessionDep) -> Response:
    """Every rule, fit first, with the settings and the recompute action."""
    return render(request, "admin/scoring.html", _page_context(session))


@router.get("/admin/scoring/rules/new")
def rule_new(request: Request, session: SessionDep) -> Response:
    """The form for a new rule (fit unless ``?category=engagement``)."""
    f = Filters(request.query_params)
    category = f.one_of("category", [c.value for c in RuleCategory], RuleCategory.FIT.value)
    form = FormState.blank(category=category, is_active=True, position=0)
    return render(request, "admin/rule_form.html", _form_context(session, form))


def _save_rule(
    request: Request,
    session: Session,
    state: FormState,
    save: Callable[[RuleIn], ScoringRule],
    rule: ScoringRule | None = None,
) -> Response:
    """Validate and save; on refusal the form again, every error beside its input."""
    data = _rule_data(state, scoring.fit_fields(session))
    saved = attempt(session, state, lambda: save(RuleIn.model_validate(data)))
    if saved is None:
        return render(
            request,
            "admin/rule_form.html",
            _form_context(session, state, rule),
            status_code=state.status,
        )
    return redirect("/admin/scoring", flash=f"Rule “{saved.label}” saved. Recompute to apply it.")


@router.post("/admin/scoring/rules")
def rule_create(request: Request, session: SessionDep, user: WebUser, form: FormDep) -> Response:
    """Add a rule; a wrong field, condition or value is shown beside it and nothing is saved."""
    state = FormState.from_form(form)
    state.require("label", "category", "points")
    return _save_rule(
        request,
        session,
        state,
        lambda data: scoring.create_rule(session, actor=user, data=data),
    )


@router.get("/admin/scoring/rules/{rule_id:id}/edit")
def rule_edit(request: Request, rule_id: int, session: SessionDep) -> Response:
    """The edit form with the rule's stored definition."""
    rule = scoring.get_rule(session, rule_id)
    form = FormState.from_record(rule, RULE_FIELDS)
    form.values["value"] = _shown_value(rule.value)
    return render(request, "admin/rule_form.html", _form_context(session, form, rule))


@router.post("/admin/scoring/rules/{rule_id:id}/edit")
def rule_update(
    request: Request, rule_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Replace a rule's definition; errors stay on the form and the stored rule is unchanged."""
    rule = scoring.get_rule(session, rule_id)
    state = FormState.from_form(form)
    state.require("label", "category", "points")
    return _save_rule(
        request,
        session,
        state,
        lambda data: scoring.update_rule(session, actor=user, rule=rule, data=data),
        rule,
    )


@router.post("/admin/scoring/rules/{rule_id:id}/delete")
def rule_delete(rule_id: int, session: SessionDep, user: WebUser) -> Response:
    """Remove a rule."""
    rule = scoring.get_rule(session, rule_id)
    label = rule.label
    scoring.delete_rule(session, actor=user, rule=rule)
    return redirect("/admin/scoring", flash=f"Rule “{label}” deleted. Recompute to apply it.")


@router.post("/admin/scoring/settings")
def settings_update(
    request: Request, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Change the MQL threshold (blank turns MQL automation off) and the default half-life."""
    state = FormState.from_form(form)
    state.require("default_half_life_days")
    data = state.data(SettingsIn)
    if not state.value("mql_threshold").strip():
        data["mql_threshold"] = None
    saved = attempt(
        session,
        state,
        lambda: scoring.update_settings(session, actor=user, data=SettingsIn.model_validate(data)),
    )
    if saved is None:
        context = _page_context(session, state)
        return render(request, "admin/scoring.html", context, status_code=state.status)
    return redirect("/admin/scoring", flash="Scoring settings saved.")


@router.post("/admin/scoring/recompute")
def recompute(session: SessionDep, user: WebUser) -> Response:
    """Re-score every contact with the current rules."""
    count = scoring.recompute_all(session)
    return redirect("/admin/scoring", flash=f"Re-scored {count:,} contacts with the current rules.")
