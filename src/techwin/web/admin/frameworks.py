"""Qualification frameworks: see each one's elements and versions, edit one (which publishes a
new version; assessments keep theirs) and create a custom one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from techwin.core.inputs import error_reason
from techwin.deps import SessionDep, WebUser
from techwin.qualification import frameworks
from techwin.qualification.models import Framework
from techwin.qualification.schemas import FrameworkSpec
from techwin.web.forms import FormState, attempt
from techwin.web.rendering import redirect, render
from techwin.web.security import FormDep

router = APIRouter()

ELEMENT_PARTS = ("key", "name", "question", "validated_means")
LABELS = {"key": "Key", "name": "Name", "description": "Description"}


def _row_name(index: int, part: str) -> str:
    return f"elements-{index}-{part}"


def _rows(state: FormState) -> int:
    """How many element rows the form has (posted ones, or the record's)."""
    try:
        return max(0, min(int(state.value("rows") or 0), 30))
    except ValueError:
        return 0


def framework_form(framework: Framework | None) -> FormState:
    """A form showing a framework's stored values, one row per element and a blank row."""
    form = FormState.blank(
        key=framework.key if framework else "",
        name=framework.name if framework else "",
        description=framework.description if framework else "",
    )
    elements = framework.elements if framework else []
    for index, element in enumerate(elements):
        for part in ELEMENT_PARTS:
            form.values[_row_name(index, part)] = str(getattr(element, part))
    form.values["rows"] = str(len(elements) + 1)
    return form


def _spec(state: FormState) -> tuple[dict[str, Any], list[int]]:
    """The posted framework, skipping blank and removed rows; and each element's form row."""
    elements, rows = [], []
    for index in range(_rows(state)):
        values = {part: state.value(_row_name(index, part)).strip() for part in ELEMENT_PARTS}
        if state.checked(_row_name(index, "remove")) or not any(values.values()):
            continue
        elements.append(values)
        rows.append(index)
    data = {
        "key": state.value("key").strip(),
        "name": state.value("name").strip(),
        "description": state.value("description").strip(),
        "elements": elements,
    }
    return data, rows


def _place(state: FormState, exc: ValidationError, rows: list[int]) -> None:
    """Put each validation error beside its input, element errors on their own row."""
    for item in exc.errors():
        loc = item.get("loc", ())
        reason = error_reason(item)
        if len(loc) >= 3 and loc[0] == "elements" and isinstance(loc[1], int):
            state.errors.setdefault(_row_name(rows[loc[1]], str(loc[2])), reason)
        elif loc and loc[0] == "elements":
            state.errors.setdefault("elements", f"elements: {reason}")
        elif loc:
            state.errors.setdefault(str(loc[0]), reason)
        else:
            state.message = reason


def _form_page(
    request: Request, form: FormState, framework: Framework | None, *, status: int = 200
) -> Response:
    context = {
        "form": form,
        "framework": framework,
        "rows": range(_rows(form)),
        "labels": LABELS,
        "row_name": _row_name,
    }
    return render(request, "admin/framework_form.html", context, status_code=status)


def _publish(
    request: Request,
    session: Session,
    form: FormDep,
    framework: Framework | None,
    save: Callable[[FrameworkSpec], Framework],
) -> Response:
    """Publish the posted framework, or show the form again with each error on its row."""
    state = FormState.from_form(form)
    if framework is not None:
        state.values["key"] = framework.key  # a framework's key never changes
    if state.value("action") == "add_row":
        state.values["rows"] = str(_rows(state) + 1)
        return _form_page(request, state, framework)
    data, rows = _spec(state)
    try:
        spec = FrameworkSpec.model_validate(data)
    except ValidationError as exc:
        _place(state, exc, rows)
        return _form_page(request, state, framework, status=422)
    saved = attempt(session, state, lambda: save(spec))
    if saved is None:
        return _form_page(request, state, framework, status=state.status)
    verb = "Published" if framework is not None else "Created"
    return redirect(
        f"/admin/frameworks/{saved.key}",
        flash=f"{verb} {saved.name} version {saved.version}.",
    )


@router.get("/admin/frameworks")
def framework_list(request: Request, session: SessionDep) -> Response:
    """The frameworks in use, built-in and custom."""
    return render(
        request, "admin/frameworks.html", {"frameworks": frameworks.list_frameworks(session)}
    )


@router.get("/admin/frameworks/new")
def framework_new(request: Request) -> Response:
    """The form for a custom framework."""
    form = framework_form(None)
    form.values["rows"] = "3"
    return _form_page(request, form, None)


@router.post("/admin/frameworks")
def framework_create(
    request: Request, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Add a custom framework; errors are shown on their element and nothing is saved."""
    return _publish(
        request,
        session,
        form,
        None,
        lambda spec: frameworks.create_framework(session, actor=user, spec=spec),
    )


@router.get("/admin/frameworks/{key}")
def framework_detail(request: Request, key: str, session: SessionDep) -> Response:
    """A framework's elements, with their questions, and its versions."""
    framework = frameworks.current_framework(session, key)
    versions = [f for f in frameworks.list_frameworks(session, include_old=True) if f.key == key]
    context = {"framework": framework, "versions": sorted(versions, key=lambda f: -f.version)}
    return render(request, "admin/framework_detail.html", context)


@router.get("/admin/frameworks/{key}/edit")
def framework_edit(request: Request, key: str, session: SessionDep) -> Response:
    """The edit form: saving publishes a new version."""
    framework = frameworks.current_framework(session, key)
    return _form_page(request, framework_form(framework), framework)


@router.post("/admin/frameworks/{key}/edit")
def framework_update(
    request: Request, key: str, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Publish a new version of the framework."""
    framework = frameworks.current_framework(session, key)
    return _publish(
        request,
        session,
        form,
        framework,
        lambda spec: frameworks.edit_framework(session, actor=user, key=key, spec=spec),
    )
