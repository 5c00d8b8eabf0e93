"""CSV import in the browser: upload a file, see how it maps and what a dry run finds, adjust
the mapping without uploading again, then confirm — all or nothing, through the same
``import_file`` as the CLI and the API. The upload waits in a private temporary folder."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from starlette.datastructures import FormData, UploadFile

from techwin.auth.models import User
from techwin.core.pagination import Page
from techwin.core.time import utcnow
from techwin.deps import SessionDep, WebUser
from techwin.errors import InvalidInput, InvalidState, NotFound, TechwinError
from techwin.pipeline.imports import preview as previews
from techwin.pipeline.imports import staging
from techwin.pipeline.imports.report import ImportRejected
from techwin.pipeline.imports.service import import_file, require_importer
from techwin.web.forms import Filters, FormState
from techwin.web.pages import fragment
from techwin.web.rendering import is_htmx, redirect, render
from techwin.web.security import FormDep

router = APIRouter()

INVALID = {"X-Techwin-Form": "invalid"}  # app.js swaps these 4xx answers in place
ENTITIES = {
    "contacts": "Leads and contacts",
    "accounts": "Accounts",
    "opportunities": "Opportunities",
}
PRESETS = {
    previews.AUTO: "Detect from the header",
    "salesforce": "Salesforce export",
    "hubspot": "HubSpot export",
    "generic": "Techwin export (generic)",
}
NOUNS = {"contacts": "leads", "accounts": "accounts", "opportunities": "opportunities"}
LISTS = {
    "contacts": "/leads?sort=-created",
    "accounts": "/accounts?sort=-created",
    "opportunities": "/opportunities?sort=-created",
}
FIELD_LABELS = {
    "external_id": "External ID",
    "acv": "ACV",
    "employee_count": "Employees",
    "lifecycle_stage": "Lifecycle stage",
    "created_at": "Created",
    "close_date": "Close date",
    "term_months": "Term (months)",
    "next_step": "Next step",
    "next_step_due": "Next step by",
    "compelling_event": "Compelling event",
    "outcome": "Outcome",
    "stage": "Deal stage",
}
KIND_LABELS = {
    "int": "whole number",
    "money": "amount",
    "datetime": "date and time",
    "lifecycle": "lifecycle stage",
    "deal_stage": "deal stage",
    "owner": "user, by email or name",
    "account": "account, by name",
    "bool": "yes / no",
    "currency": "currency code",
}
LABELS = {
    "entity": "Record type",
    "preset": "Exported from",
    "file": "CSV file",
    "mapping": "Mapping",
    "mapping_file": "Mapping file",
}
# Where the engine's refusals belong on the form: the CLI calls the mapping "map", and the
# encoding and delimiter come from the mapping too.
FIELD_OF_ERROR = {"map": "mapping", "encoding": "mapping", "delimiter": "mapping"}
ERRORS_PER_PAGE = 200
MAX_MAPPING_BYTES = 256 * 1024


def field_label(name: str) -> str:
    """A built-in import field as people read it."""
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def _page(request: Request, context: dict[str, Any]) -> dict[str, Any]:
    return {
        "labels": LABELS,
        "entities": list(ENTITIES.items()),
        "presets": list(PRESETS.items()),
        "entity_labels": ENTITIES,
        "preset_labels": PRESETS,
        "field_label": field_label,
        "kind_labels": KIND_LABELS,
        **context,
    }


def _choices(state: FormState) -> None:
    """Record type and preset must be ones we know."""
    if state.value("entity") not in ENTITIES:
        state.errors["entity"] = "choose accounts, leads and contacts, or opportunities"
    if state.value("preset") not in PRESETS:
        state.errors["preset"] = "choose Salesforce, HubSpot, generic or detect"


def _upload(form: FormData, name: str) -> UploadFile | None:
    """The file posted as ``name``, if one was chosen."""
    value = form.get(name)
    if isinstance(value, UploadFile) and (value.filename or value.size):
        return value
    return None


def _mapping_text(state: FormState, form: FormData) -> str:
    """The mapping YAML: typed, or read from the mapping file (then shown in the text box)."""
    upload = _upload(form, "mapping_file")
    typed = state.value("mapping")
    if upload is None:
        return typed
    if typed.strip():
        raise InvalidInput(
            "paste the mapping or choose a mapping file, not both", field="mapping_file"
        )
    raw = upload.file.read(MAX_MAPPING_BYTES + 1)
    if len(raw) > MAX_MAPPING_BYTES:
        raise InvalidInput("the mapping file is over 256 KiB", field="mapping_file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the mapping file is not UTF-8 text", field="mapping_file") from None
    state.values["mapping"] = text
    return text


def _place(state: FormState, exc: TechwinError) -> None:
    """Put the engine's refusal beside the input it is about, or at the top of the form."""
    name = FIELD_OF_ERROR.get(exc.field or "", exc.field or "")
    state.status = exc.status
    if name in LABELS:
        state.errors[name] = exc.message
    else:
        state.message = exc.message


def _check(
    session: Session, user: User, staged: staging.StagedUpload, state: FormState, mapping: str
) -> None:
    """Preview and dry-run the staged file with the form's choices; keep what was found."""
    preview, report = previews.check_file(
        session,
        actor=user,
        entity=state.value("entity"),
        path=staged.path,
        preset=state.value("preset"),
        mapping=previews.parse_mapping(mapping),
        update=state.checked("update"),
        create_users=state.checked("create_users"),
    )
    details = staged.details()
    details.update(
        entity=state.value("entity"),
        preset=state.value("preset"),
        mapping=mapping,
        update=state.checked("update"),
        create_users=state.checked("create_users"),
        preview=preview.to_dict(),
        report=report.to_dict(),
        checked_at=utcnow().isoformat(),
        refused=False,
    )
    staged.save(details)


def _form_state(details: dict[str, Any]) -> FormState:
    """The adjust form, showing the choices of the last check."""
    return FormState.blank(
        entity=details.get("entity", "contacts"),
        preset=details.get("preset", previews.AUTO),
        mapping=details.get("mapping", ""),
        update=bool(details.get("update")),
        create_users=bool(details.get("create_users")),
    )


@router.get("/imports")
def import_start(request: Request, user: WebUser) -> Response:
    """The upload form."""
    require_importer(user)
    form = FormState.blank(entity="contacts", preset=previews.AUTO)
    return render(request, "imports/new.html", _page(request, {"form": form}))


@router.post("/imports")
def import_upload(request: Request, session: SessionDep, user: WebUser, form: FormDep) -> Response:
    """Keep the uploaded file, preview it and dry-run it; bad input is shown on the form."""
    require_importer(user)
    state = FormState.from_form(form)
    _choices(state)
    upload = _upload(form, "file")
    if upload is None:
        state.errors["file"] = "choose the CSV file to import"
    mapping = ""
    try:
        mapping = _mapping_text(state, form)
        previews.parse_mapping(mapping)
    except InvalidInput as exc:
        _place(state, exc)
    staged: staging.StagedUpload | None = None
    try:
        if upload is not None and state.ok:
            staged = staging.stage_upload(upload.file, owner_id=user.id)
            staged.save(
                {
                    "filename": (upload.filename or "upload.csv")[:200],
                    "size": staged.path.stat().st_size,
                    "uploaded_at": utcnow().isoformat(),
                }
            )
            _check(session, user, staged, state, mapping)
    except InvalidInput as exc:
        _place(state, exc)
    except BaseException:
        if staged is not None:
            staging.discard(staged)
        raise
    if staged is not None and not state.ok:
        staging.discard(staged)
        staged = None
    if staged is None or not state.ok:
        state.status = 422
        context = _page(request, {"form": state})
        if is_htmx(request):
            return render(request, "imports/_form.html", context, status_code=422, headers=INVALID)
        return render(request, "imports/new.html", context, status_code=422)
    return redirect(f"/imports/{staged.token}", htmx=is_htmx(request))


def _errors_page(request: Request, report: dict[str, Any]) -> Page[dict[str, Any]]:
    errors: list[dict[str, Any]] = report.get("errors", [])
    wanted = Filters(request.query_params).page(ERRORS_PER_PAGE).page
    pages = max(1, -(-len(errors) // ERRORS_PER_PAGE))
    number = min(wanted, pages)
    start = (number - 1) * ERRORS_PER_PAGE
    return Page(
        items=errors[start : start + ERRORS_PER_PAGE],
        total=len(errors),
        page=number,
        size=ERRORS_PER_PAGE,
    )


def _columns(details: dict[str, Any]) -> list[dict[str, Any]]:
    """The mapping table: each column of the file, where it goes, and as what type."""
    report = details.get("report", {})
    types: dict[str, str] = report.get("custom_fields", {})
    rows = []
    for column in details.get("preview", {}).get("columns", []):
        custom = column.get("custom")
        rows.append(
            {
                **column,
                "target": field_label(column["field"]) if column.get("field") else None,
                "type": types.get(custom) if custom else column.get("kind"),
            }
        )
    return rows


def _moment(text: object) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) else None


def _show(
    request: Request, staged: staging.StagedUpload, form: FormState | None = None
) -> Response:
    details = staged.details()
    if "report" not in details:
        raise staging_missing()
    columns = _columns(details)
    context = _page(
        request,
        {
            "token": staged.token,
            "d": details,
            "report": details["report"],
            "preview": details.get("preview", {}),
            "columns": columns,
            "stored": [c for c in columns if c.get("field") or c.get("custom")],
            "checked_at": _moment(details.get("checked_at")),
            "imported_at": _moment(details.get("imported_at")),
            "errors": _errors_page(request, details["report"]),
            "noun": NOUNS.get(details.get("entity", ""), "records"),
            "list_url": LISTS.get(details.get("entity", ""), "/"),
            "form": form or _form_state(details),
        },
    )
    if details.get("result"):
        return render(request, "imports/done.html", {**context, "result": details["result"]})
    if fragment(request, "bad-rows"):
        return render(request, "imports/_errors.html", context)
    status = form.status if form is not None and not form.ok else 200
    return render(request, "imports/check.html", context, status_code=status)


def staging_missing() -> TechwinError:
    """The refusal for an upload that is gone (expired, or its check never finished)."""
    return NotFound("this upload is not there any more; upload the file again")


@router.get("/imports/{token}")
def import_review(request: Request, token: str, user: WebUser) -> Response:
    """The preview and dry-run report of an upload, or the result once it is imported."""
    require_importer(user)
    return _show(request, staging.find_upload(token, owner_id=user.id))


@router.post("/imports/{token}/check")
def import_recheck(
    request: Request, token: str, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Check the same upload again with another record type, preset, mapping or options."""
    require_importer(user)
    staged = staging.find_upload(token, owner_id=user.id)
    if staged.details().get("result") or not staged.path.exists():
        return redirect(f"/imports/{token}", htmx=is_htmx(request))
    state = FormState.from_form(form)
    _choices(state)
    try:
        mapping = _mapping_text(state, form)
        if state.ok:
            _check(session, user, staged, state, mapping)
    except InvalidInput as exc:
        _place(state, exc)
    if not state.ok:
        state.status = 422
        if is_htmx(request):
            context = _page(request, {"form": state, "token": token})
            return render(
                request, "imports/_adjust.html", context, status_code=422, headers=INVALID
            )
        return _show(request, staged, state)
    return redirect(f"/imports/{token}", flash="Checked again.", htmx=is_htmx(request))


def _after_commit(session: Session, done: Callable[[], None], undone: Callable[[], None]) -> None:
    """Run ``done`` once the request's transaction is committed, ``undone`` if it is not."""

    def committed(_session: Session) -> None:
        event.remove(session, "after_soft_rollback", rolled_back)
        done()

    def rolled_back(_session: Session, previous: SessionTransaction) -> None:
        if previous.parent is None:
            event.remove(session, "after_commit", committed)
            event.remove(session, "after_soft_rollback", rolled_back)
            undone()

    event.listen(session, "after_commit", committed, once=True)
    event.listen(session, "after_soft_rollback", rolled_back)


@router.post("/imports/{token}/confirm")
def import_confirm(
    request: Request, token: str, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Run the real import with the choices of the dry run; the result replaces the preview."""
    require_importer(user)
    staged = staging.find_upload(token, owner_id=user.id)
    page = f"/imports/{token}"
    htmx = is_htmx(request)
    details = staged.details()
    if details.get("result"):
        return redirect(page, htmx=htmx)
    if "report" not in details or not staged.path.exists():
        raise staging_missing()
    if not details["report"].get("ok"):
        raise InvalidState(
            "the dry run found bad rows and an import is all or nothing; fix them and check again"
        )
    if not staged.lock():
        return redirect(page, flash="This file is being imported already.", htmx=htmx)
    entity = details["entity"]
    try:
        report = import_file(
            session,
            actor=user,
            entity=entity,
            path=staged.path,
            preset=details["report"]["preset"],
            mapping=previews.parse_mapping(details.get("mapping")),
            update=bool(details.get("update")),
            create_users=bool(details.get("create_users")),
        )
    except ImportRejected as rejected:
        staged.unlock()
        details.update(report=rejected.report.to_dict(), refused=True)
        staged.save(details)
        return redirect(page, htmx=htmx)
    except BaseException:
        staged.unlock()
        raise
    result = report.to_dict()

    def imported() -> None:
        # After the commit: the records are stored whatever happens to the upload's folder now.
        details.update(result=result, imported_at=utcnow().isoformat())
        with contextlib.suppress(OSError):
            staged.save(details)
            staged.drop_file()
            staged.unlock()

    _after_commit(session, imported, staged.unlock)
    noun = NOUNS[entity]
    return redirect(
        page,
        flash=f"Imported {report.created:,} new and {report.updated:,} updated {noun}.",
        htmx=htmx,
    )


@router.post("/imports/{token}/discard")
def import_discard(request: Request, token: str, user: WebUser, form: FormDep) -> Response:
    """Forget an upload (nothing is imported)."""
    require_importer(user)
    staged = staging.find_upload(token, owner_id=user.id)
    if staged.importing:
        return redirect(f"/imports/{token}", flash="This file is being imported right now.")
    staging.discard(staged)
    return redirect("/imports", flash="The upload was discarded.", htmx=is_htmx(request))
