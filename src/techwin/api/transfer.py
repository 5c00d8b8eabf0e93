"""Imports (CSV upload), full-table exports and custom fields."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

import yaml
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from techwin.auth.permissions import require_writer
from techwin.core.csvout import neutralise
from techwin.core.types import RecordId
from techwin.deps import ApiUser, SessionDep
from techwin.errors import InvalidInput
from techwin.pipeline import custom_fields
from techwin.pipeline.enums import CustomEntity, CustomFieldType
from techwin.pipeline.imports import source
from techwin.pipeline.imports.export import export_table
from techwin.pipeline.imports.mapping import MappingFile
from techwin.pipeline.imports.service import import_file
from techwin.scoring.event_import import import_events

router = APIRouter(tags=["import and export"])

Entity = Literal["accounts", "contacts", "opportunities"]


def _save_upload(upload: UploadFile) -> Path:
    """Copy the upload to a temporary file, refusing anything over the import size limit."""
    handle = tempfile.NamedTemporaryFile(prefix="techwin-import-", suffix=".csv", delete=False)  # noqa: SIM115
    path = Path(handle.name)
    written = 0
    with handle:
        while chunk := upload.file.read(1024 * 1024):
            written += len(chunk)
            if written > source.MAX_BYTES:
                handle.close()
                path.unlink(missing_ok=True)
                raise InvalidInput(
                    "the file is over 1 GiB; the limit is 1 GiB per import — split it", field="file"
                )
            handle.write(chunk)
    return path


def _mapping(text: str | None) -> MappingFile | None:
    if not text or not text.strip():
        return None
    try:
        return MappingFile.model_validate(yaml.safe_load(text) or {})
    except yaml.YAMLError as exc:
        raise InvalidInput(f"the mapping is not valid YAML: {exc}", field="mapping") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(
            f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}", field="mapping"
        ) from exc


@router.post("/imports/events")
def import_events_csv(
    session: SessionDep,
    user: ApiUser,
    file: Annotated[UploadFile, File(description="The CSV file: one engagement event a row.")],
    dry_run: Annotated[bool, Form()] = False,
    mapping: Annotated[str | None, Form(description="YAML: columns, values, date formats.")] = None,
) -> JSONResponse:
    """Import engagement events (admins and managers): the contact by ``contact_id``,
    ``external_id`` or ``email``; ``kind`` and ``occurred_at``; an optional ``detail``. Any bad
    row means nothing is written (422 listing every bad row); touched contacts are re-scored."""
    path = _save_upload(file)
    try:
        report = import_events(
            session, actor=user, path=path, mapping=_mapping(mapping), dry_run=dry_run
        )
    finally:
        path.unlink(missing_ok=True)
    return JSONResponse(report.to_dict())


@router.post("/imports/{entity}")
def import_csv(
    entity: Entity,
    session: SessionDep,
    user: ApiUser,
    file: Annotated[UploadFile, File(description="The CSV file.")],
    preset: Annotated[Literal["generic", "salesforce", "hubspot"], Form()] = "generic",
    dry_run: Annotated[bool, Form()] = False,
    update: Annotated[bool, Form()] = False,
    create_users: Annotated[bool, Form()] = False,
    mapping: Annotated[str | None, Form(description="YAML mapping refining the preset.")] = None,
) -> JSONResponse:
    """Import a CSV file (admins and managers). Every row is checked first; any bad row means
    nothing is written and a 422 lists every bad row with its line, column and reason."""
    path = _save_upload(file)
    try:
        report = import_file(
            session,
            actor=user,
            entity=entity,
            path=path,
            preset=preset,
            mapping=_mapping(mapping),
            dry_run=dry_run,
            update=update,
            create_users=create_users,
        )
    finally:
        path.unlink(missing_ok=True)
    return JSONResponse(report.to_dict())


@router.get("/exports/{entity}", response_class=StreamingResponse)
def export_csv(
    entity: Literal["accounts", "contacts", "opportunities", "transitions"],
    request: Request,
    session: SessionDep,
    user: ApiUser,
) -> StreamingResponse:
    """A whole table as CSV, custom fields included; streamed, so its size does not matter."""
    require_writer(user)
    factory = request.app.state.sessionmaker

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        with factory() as export_session:
            header, rows = export_table(export_session, entity)
            writer.writerow(header)
            for index, row in enumerate(rows, start=1):
                writer.writerow([neutralise(v) for v in row])
                if index % 1000 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    return StreamingResponse(
        lines(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{entity}.csv"'},
    )


class CustomFieldOut(BaseModel):
    """A custom field."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    entity: str
    key: str
    label: str
    field_type: CustomFieldType


class CustomFieldPatch(BaseModel):
    """Rename or retype a custom field."""

    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(default=None, max_length=120)
    field_type: CustomFieldType | None = None


@router.get("/custom-fields", response_model=list[CustomFieldOut])
def list_fields(
    session: SessionDep, user: ApiUser, entity: CustomEntity | None = None
) -> list[CustomFieldOut]:
    """Custom fields, optionally of one record type."""
    return [
        CustomFieldOut.model_validate(f)
        for f in custom_fields.list_custom_fields(session, entity=entity)
    ]


@router.patch("/custom-fields/{field_id}", response_model=CustomFieldOut)
def update_field(
    field_id: RecordId, body: CustomFieldPatch, session: SessionDep, user: ApiUser
) -> CustomFieldOut:
    """Rename or retype a custom field (admins); a retype needs every stored value to fit."""
    field = custom_fields.update_custom_field(
        session, actor=user, field_id=field_id, label=body.label, field_type=body.field_type
    )
    return CustomFieldOut.model_validate(field)
