"""What the evaluation pages share: input labels, form validation that names the input, and
record histories titled in words people use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from techwin.auth.models import AuditEvent
from techwin.core.inputs import error_reason
from techwin.errors import InvalidInput
from techwin.evaluation.enums import CriterionResult
from techwin.web.presenters import TimelineEntry, audit_entries

M = TypeVar("M", bound=BaseModel)

LABELS = {
    "status": "Technical win",
    "reason": "Reason",
    "no_go_reason": "Reason code",
    "title": "Title",
    "scope": "Scope",
    "start_date": "Start date",
    "end_date": "Planned end",
    "environment": "Environment or sandbox",
    "description": "Criterion",
    "target": "Measurable target",
    "result": "Result",
    "evidence": "Evidence",
    "outcome": "Outcome",
    "notes": "Notes",
    "concluded_on": "Concluded on",
    "signed_off_by": "Signed off by",
    "signed_off_on": "Signed off on",
    "name": "Competitor",
    "note": "Note",
}
NEW_POC_ROWS = 5
MAX_POC_ROWS = 20
RESULT_CHOICES = [
    (CriterionResult.MET, "Met"),
    (CriterionResult.PARTIALLY_MET, "Partly"),
    (CriterionResult.NOT_MET, "Not met"),
]


def validated(model: type[M], data: Mapping[str, Any]) -> M:
    """``model`` from form data; a bad value names its input (``criteria.1.target``)."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(part) for part in error.get("loc", ()))
        reason = error_reason(error)
        raise InvalidInput(reason, field=name or None) from None


POC_TITLES = {
    "poc.created": "POC planned",
    "poc.update": "Plan edited",
    "poc.criterion-added": "Criterion added",
    "poc.criterion-removed": "Criterion removed",
    "poc.result": "Result",
    "poc.outcome": "Outcome",
    "poc.signed-off": "Signed off",
}


def history(events: Iterable[AuditEvent], titles: Mapping[str, str]) -> list[TimelineEntry]:
    """Timeline entries of a record's audit events, titled in words people use; only edits
    list their before and after values (the other summaries say it all)."""
    entries = []
    for event in events:
        entry = audit_entries([event])[0]
        title = titles.get(event.action)
        if title:
            entry = replace(
                entry,
                title=f"{title}: {event.summary}" if event.summary else title,
                details=entry.details if event.action.endswith(".update") else [],
            )
        entries.append(entry)
    return entries
