"""Nurturing as configured: the score tiers and what each gives a lead, the sequences and their
steps; admins edit the tiers (saved all at once) and the sequences (create, edit steps with a
preview, switch off, delete an unused one), and run the daily nurture job by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from techwin.core.inputs import error_reason
from techwin.deps import SessionDep, WebUser
from techwin.errors import TechwinError
from techwin.scoring.nurture import configuration as nurture_setup
from techwin.scoring.nurture import rules
from techwin.scoring.nurture import service as nurture
from techwin.scoring.nurture.enums import StepKind, TierAction
from techwin.scoring.nurture.models import NurtureTier, Sequence
from techwin.scoring.nurture.schemas import SequenceSpec, TierSpec
from techwin.web.forms import FormState, attempt, display
from techwin.web.rendering import redirect, render
from techwin.web.scoring_presenters import TASK_KIND_LABELS
from techwin.web.security import FormDep

router = APIRouter()

ACTION_LABELS = {
    "owner_task": "A call task for the owner",
    "sequence": "A sequence of touches",
    "newsletter": "The newsletter only",
}
ACTION_CHOICES = [
    (TierAction.OWNER_TASK.value, "Call task for the owner"),
    (TierAction.SEQUENCE.value, "Sequence of touches"),
    (TierAction.NEWSLETTER.value, "Newsletter only"),
]
TIER_PARTS = ("key", "name", "min_score", "action", "sequence", "due_business_days")
STEP_PARTS = ("kind", "wait_days", "title", "template")
PART_LABELS = {
    "key": "key",
    "name": "name",
    "min_score": "minimum score",
    "action": "action",
    "sequence": "sequence",
    "due_business_days": "due within (business days)",
    "kind": "kind",
    "wait_days": "days after the previous step",
    "title": "title",
    "template": "message",
}
PLACEHOLDER_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name",
    "company": "Company",
    "title": "Job title",
    "owner_name": "Lead owner's name",
    "owner_email": "Lead owner's email",
}
MAX_ROWS = 30
KEY_HELP = "Lower case letters, digits and _, starting with a letter (2–40 characters)."


def row_name(prefix: str, index: int, part: str) -> str:
    """The input name of one part of a tier or step row: ``steps-2-title``."""
    return f"{prefix}-{index}-{part}"


def _rows(state: FormState) -> int:
    try:
        return max(0, min(int(state.value("rows") or 0), MAX_ROWS))
    except ValueError:
        return 0


def _reason(item: Any) -> str:
    """A pydantic error as a person reads it."""
    if item.get("type") == "string_pattern_mismatch":
        return KEY_HELP
    if item.get("type") == "too_short" and item.get("loc") == ("steps",):
        return "a sequence needs at least one step"
    return error_reason(item)


def _page_labels(state: FormState, prefix: str, noun: str) -> dict[str, str]:
    """Labels for the error summary: ``Step 2 title`` rather than ``steps-1-title``."""
    labels = {"key": "Key", "name": "Name", "description": "Description", "steps": "Steps"}
    for index in range(_rows(state)):
        for part, label in PART_LABELS.items():
            labels[row_name(prefix, index, part)] = f"{noun} {index + 1} {label}"
    return labels


def _locate(exc: TechwinError, prefix: str, rows: list[int]) -> TechwinError:
    """Point a service refusal about the n-th tier or step at its row's input."""
    index = exc.extra.get("index")
    if exc.field and isinstance(index, int) and 0 <= index < len(rows):
        exc.field = row_name(prefix, rows[index], exc.field)
    return exc


# ---------- The page ----------


@router.get("/admin/nurture")
def nurture_page(request: Request, session: SessionDep) -> Response:
    """Tiers from the hottest down, and every sequence with its steps."""
    sequences = nurture_setup.list_sequences(session)
    tiers = nurture_setup.list_tiers(session)
    used = {t.sequence_id for t, _ in tiers if t.sequence_id is not None}
    context = {
        "tiers": tiers,
        "sequences": sequences,
        "sequence_names": {s.key: s.name for s in sequences},
        "sequence_on": {s.key: s.is_active for s in sequences},
        "used": used,
        "counts": nurture_setup.enrollment_counts(session),
        "actions": ACTION_LABELS,
        "kinds": TASK_KIND_LABELS,
    }
    return render(request, "admin/nurture.html", context)


@router.post("/admin/nurture/run")
def run(session: SessionDep, user: WebUser) -> Response:
    """Tier every lead and turn due steps into tasks now (normally a daily job)."""
    report = nurture.run_nurture(session, actor=user)
    tiered = ", ".join(f"{count:,} {key}" for key, count in report.tiered.items())
    return redirect(
        "/admin/nurture",
        flash=(
            f"Nurture run: {tiered or 'no leads'} · {report.owner_tasks + report.step_tasks} "
            f"tasks created · {report.enrolled} enrolled."
        ),
    )


# ---------- Tiers ----------


def tiers_form(tiers: list[tuple[NurtureTier, str | None]]) -> FormState:
    """A form showing the stored tiers, one row each, from the highest minimum down."""
    form = FormState.blank(rows=len(tiers))
    for index, (tier, sequence) in enumerate(tiers):
        values = {
            "key": tier.key,
            "name": tier.name,
            "min_score": display(tier.min_score),
            "action": tier.action.value,
            "sequence": sequence or "",
            "due_business_days": str(tier.due_business_days),
        }
        for part, value in values.items():
            form.values[row_name("tiers", index, part)] = value
    return form


def _add_tier_row(state: FormState) -> None:
    index = _rows(state)
    if index < MAX_ROWS:
        state.values[row_name("tiers", index, "due_business_days")] = "1"
        state.values["rows"] = str(index + 1)


def _tier_specs(state: FormState) -> tuple[list[TierSpec], list[int]]:
    """The posted tiers in the order shown, skipping blank and removed rows; each one's row.

    Inputs that do not apply to the chosen action are ignored, as on the rule form.
    """
    specs: list[TierSpec] = []
    rows: list[int] = []
    for index in range(_rows(state)):
        name = {part: row_name("tiers", index, part) for part in (*TIER_PARTS, "remove")}
        values = {part: state.value(name[part]).strip() for part in TIER_PARTS}
        if state.checked(name["remove"]) or not (
            values["key"] or values["name"] or values["min_score"]
        ):
            continue
        rows.append(index)
        state.require(name["key"], name["name"], name["min_score"], name["action"])
        data: dict[str, Any] = {k: v for k, v in values.items() if v}
        if data.get("action") != TierAction.SEQUENCE.value:
            data.pop("sequence", None)
        if data.get("action") != TierAction.OWNER_TASK.value:
            data.pop("due_business_days", None)
        try:
            specs.append(TierSpec.model_validate(data))
        except ValidationError as exc:
            for item in exc.errors():
                loc = item.get("loc", ())
                part = str(loc[0]) if loc else "sequence"  # the only rule across inputs
                state.errors.setdefault(name[part], _reason(item))
    return specs, rows


def _tiers_page(
    request: Request, session: Session, form: FormState, *, status: int = 200
) -> Response:
    choices = [
        (s.key, s.name if s.is_active else f"{s.name} (switched off)")
        for s in nurture_setup.list_sequences(session)
    ]
    known = {key for key, _ in choices}
    for index in range(_rows(form)):  # keep what was posted in view, even if it is not known
        posted = form.value(row_name("tiers", index, "sequence")).strip()
        if posted and posted not in known:
            choices.append((posted, f"{posted} (no such sequence)"))
            known.add(posted)
    context = {
        "form": form,
        "rows": range(_rows(form)),
        "row_name": row_name,
        "labels": _page_labels(form, "tiers", "Tier"),
        "action_choices": ACTION_CHOICES,
        "sequence_choices": choices,
    }
    return render(request, "admin/nurture_tiers_form.html", context, status_code=status)


@router.get("/admin/nurture/tiers/edit")
def tiers_edit(request: Request, session: SessionDep) -> Response:
    """Every tier in one form: name, minimum score and what it gives a lead."""
    return _tiers_page(request, session, tiers_form(nurture_setup.list_tiers(session)))


@router.post("/admin/nurture/tiers")
def tiers_save(request: Request, session: SessionDep, user: WebUser, form: FormDep) -> Response:
    """Replace every tier at once; on refusal the form again with each error on its row."""
    state = FormState.from_form(form)
    if state.value("action") == "add_row":
        _add_tier_row(state)
        return _tiers_page(request, session, state)
    specs, rows = _tier_specs(state)
    if state.errors:
        return _tiers_page(request, session, state, status=422)

    def save() -> bool:
        try:
            nurture_setup.save_tiers(session, actor=user, tiers=specs)
        except TechwinError as exc:
            raise _locate(exc, "tiers", rows) from None
        return True

    if attempt(session, state, save) is None:
        return _tiers_page(request, session, state, status=state.status)
    names = ", ".join(f"{t.name} ≥ {t.min_score:g}" for t in specs) or "none"
    return redirect(
        "/admin/nurture", flash=f"Tiers saved ({names}). The next nurture run uses them."
    )


# ---------- Sequences ----------


def sequence_form(sequence: Sequence | None) -> FormState:
    """A form showing a sequence's stored values, one row per step (a blank step if new)."""
    form = FormState.blank(
        key=sequence.key if sequence else "",
        name=sequence.name if sequence else "",
        description=sequence.description if sequence else "",
    )
    steps = sequence.steps if sequence else []
    for index, step in enumerate(steps):
        form.values[row_name("steps", index, "kind")] = step.kind.value
        form.values[row_name("steps", index, "wait_days")] = str(step.wait_days)
        form.values[row_name("steps", index, "title")] = step.title
        form.values[row_name("steps", index, "template")] = step.template
    form.values["rows"] = str(len(steps))
    if not steps:
        _add_step_row(form, wait_days=0)
    return form


def _add_step_row(state: FormState, *, wait_days: int = 2) -> None:
    index = _rows(state)
    if index < MAX_ROWS:
        state.values[row_name("steps", index, "kind")] = StepKind.EMAIL.value
        state.values[row_name("steps", index, "wait_days")] = str(wait_days)
        state.values["rows"] = str(index + 1)


def _move_step(state: FormState, index: int, delta: int) -> str | None:
    """Swap a step with its neighbour; returns the button to focus in its new place."""
    other = index + delta
    if not (0 <= index < _rows(state) and 0 <= other < _rows(state)):
        return None
    for part in (*STEP_PARTS, "remove"):
        a, b = row_name("steps", index, part), row_name("steps", other, part)
        state.values[a], state.values[b] = state.values.get(b, ""), state.values.get(a, "")
    last = _rows(state) - 1
    direction = "up" if delta < 0 else "down"
    if (direction == "up" and other == 0) or (direction == "down" and other == last):
        direction = "down" if direction == "up" else "up"
    return f"{direction}-{other}"


def _sequence_data(state: FormState) -> tuple[dict[str, Any], list[int]]:
    """The posted sequence, skipping blank and removed steps; and each step's form row."""
    steps: list[dict[str, str]] = []
    rows: list[int] = []
    for index in range(_rows(state)):
        values = {part: state.value(row_name("steps", index, part)) for part in STEP_PARTS}
        removed = state.checked(row_name("steps", index, "remove"))
        if removed or not (values["title"].strip() or values["template"].strip()):
            continue
        if not values["wait_days"].strip():
            values.pop("wait_days")  # blank: the schema's default (the same day)
        steps.append(values)
        rows.append(index)
    data = {
        "key": state.value("key").strip(),
        "name": state.value("name").strip(),
        "description": state.value("description").strip(),
        "steps": steps,
    }
    return data, rows


def _place(state: FormState, exc: ValidationError, rows: list[int]) -> None:
    """Each validation error beside its input, a step's on its own row."""
    for item in exc.errors():
        loc = item.get("loc", ())
        if len(loc) >= 3 and loc[0] == "steps" and isinstance(loc[1], int):
            state.errors.setdefault(row_name("steps", rows[loc[1]], str(loc[2])), _reason(item))
        elif loc:
            state.errors.setdefault(str(loc[0]), _reason(item))
        else:
            state.message = _reason(item)


def example_values(request: Request) -> dict[str, str | None]:
    """The example contact previews are filled with (the viewer as its owner)."""
    viewer = getattr(request.state, "viewer", None)
    return {
        "first_name": "Jordan",
        "last_name": "Rivera",
        "full_name": "Jordan Rivera",
        "company": "Northwind Traders",
        "title": "Head of Platform Engineering",
        "owner_name": viewer.full_name if viewer else "Alex Morgan",
        "owner_email": viewer.email if viewer else "alex.morgan@example.com",
    }


def _day_numbers(state: FormState) -> list[int | None]:
    """The day each step falls on after enrollment, as the form stands (None once unreadable)."""
    days: list[int | None] = []
    total: int | None = 0
    for index in range(_rows(state)):
        text = state.value(row_name("steps", index, "wait_days")).strip() or "0"
        if total is not None and not state.checked(row_name("steps", index, "remove")):
            total = total + int(text) if text.isdigit() else None
        days.append(total)
    return days


def _sequence_page(
    request: Request,
    session: Session,
    form: FormState,
    sequence: Sequence | None,
    *,
    status: int = 200,
    focus: str | None = None,
) -> Response:
    values = example_values(request)
    counts = (
        nurture_setup.enrollment_counts(session).get(sequence.id, (0, 0)) if sequence else (0, 0)
    )
    context = {
        "form": form,
        "sequence": sequence,
        "rows": range(_rows(form)),
        "row_name": row_name,
        "labels": _page_labels(form, "steps", "Step"),
        "kinds": [(k.value, TASK_KIND_LABELS.get(k.value, k.value)) for k in StepKind],
        "placeholders": [(p, PLACEHOLDER_LABELS.get(p, p), values[p]) for p in rules.PLACEHOLDERS],
        "preview": lambda text: rules.render(text, values),
        "days": _day_numbers(form),
        "in_it": counts[0],
        "focus": focus,
        "key_help": KEY_HELP,
    }
    return render(request, "admin/nurture_sequence_form.html", context, status_code=status)


def _save_sequence(
    request: Request,
    session: Session,
    form: FormDep,
    sequence: Sequence | None,
    save: Callable[[SequenceSpec], Sequence],
) -> Response:
    """Save the posted sequence, or show the form again (after a row action, or with errors)."""
    state = FormState.from_form(form)
    if sequence is not None:
        state.values["key"] = sequence.key  # a sequence's key never changes
    action = state.value("action")
    if action == "add_step":
        _add_step_row(state)
        return _sequence_page(request, session, state, sequence, focus=f"title-{_rows(state) - 1}")
    if action == "preview":
        return _sequence_page(request, session, state, sequence)
    if action.startswith(("up-", "down-")):
        direction, _, number = action.partition("-")
        index = int(number) if number.isdigit() else -1
        focus = _move_step(state, index, -1 if direction == "up" else 1)
        return _sequence_page(request, session, state, sequence, focus=focus)
    data, rows = _sequence_data(state)
    try:
        spec = SequenceSpec.model_validate(data)
    except ValidationError as exc:
        _place(state, exc, rows)
        return _sequence_page(request, session, state, sequence, status=422)
    saved = attempt(session, state, lambda: save(spec))
    if saved is None:
        return _sequence_page(request, session, state, sequence, status=state.status)
    in_it = nurture_setup.enrollment_counts(session).get(saved.id, (0, 0))[0]
    kept = (
        f" {in_it:,} contacts in it continue from their place."
        if in_it > 1
        else " The contact in it continues from their place."
        if in_it
        else ""
    )
    return redirect(
        f"/admin/nurture#seq-{saved.key}",
        flash=f"Sequence “{saved.name}” saved with {len(spec.steps)} steps.{kept}",
    )


@router.get("/admin/nurture/sequences/new")
def sequence_new(request: Request, session: SessionDep) -> Response:
    """The form for a new sequence, starting with one step."""
    return _sequence_page(request, session, sequence_form(None), None)


@router.post("/admin/nurture/sequences")
def sequence_create(
    request: Request, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Add a sequence; errors are shown beside their step and nothing is saved."""
    return _save_sequence(
        request,
        session,
        form,
        None,
        lambda spec: nurture_setup.create_sequence(session, actor=user, spec=spec),
    )


@router.get("/admin/nurture/sequences/{key}/edit")
def sequence_edit(request: Request, key: str, session: SessionDep) -> Response:
    """The edit form: name, description and every step with a preview."""
    sequence = nurture_setup.get_sequence(session, key)
    return _sequence_page(request, session, sequence_form(sequence), sequence)


@router.post("/admin/nurture/sequences/{key}/edit")
def sequence_update(
    request: Request, key: str, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Replace the sequence's name and steps; contacts in it keep their place."""
    sequence = nurture_setup.get_sequence(session, key)
    return _save_sequence(
        request,
        session,
        form,
        sequence,
        lambda spec: nurture_setup.save_sequence(session, actor=user, spec=spec),
    )


@router.post("/admin/nurture/sequences/{key}/switch")
def sequence_switch(key: str, session: SessionDep, user: WebUser, form: FormDep) -> Response:
    """Switch a sequence on or off (off: nobody new joins; contacts in it finish it)."""
    active = form.get("active") == "true"
    sequence = nurture_setup.set_sequence_active(session, actor=user, key=key, active=active)
    state = "on" if active else "off: nobody new joins it; contacts in it finish it"
    return redirect(f"/admin/nurture#seq-{key}", flash=f"{sequence.name} switched {state}.")


@router.post("/admin/nurture/sequences/{key}/delete")
def sequence_delete(key: str, session: SessionDep, user: WebUser) -> Response:
    """Remove a sequence that no tier uses and nobody was ever in."""
    name = nurture_setup.get_sequence(session, key).name
    nurture_setup.delete_sequence(session, actor=user, key=key)
    return redirect("/admin/nurture", flash=f"Sequence “{name}” deleted.")
