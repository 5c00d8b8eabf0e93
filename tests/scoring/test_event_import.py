"""Engagement events from CSV: contacts by id, external id or email; all rows or none; the
touched contacts re-scored; the same through the API and the command line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from techwin.auth.enums import Role
from techwin.errors import InvalidInput, PermissionDenied
from techwin.pipeline.imports.mapping import MappingFile
from techwin.pipeline.imports.report import ImportRejected
from techwin.scoring import service
from techwin.scoring.enums import EventKind
from techwin.scoring.event_import import import_events
from techwin.scoring.models import EngagementEvent
from techwin.scoring.playbook import seed_scoring
from tests import factories

RECENT = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()


@pytest.fixture
def people(session):
    seed_scoring(session)
    admin = factories.user(session, role=Role.ADMIN, password=None)
    ae = factories.user(session, role=Role.AE, password=None)
    ada = factories.contact(session, actor=ae, email="Ada@Example.com", last_name="Lovelace")
    bob = factories.contact(session, actor=ae, email="bob@example.com", last_name="Bob")
    bob.external_id = "00Q-BOB"
    session.commit()
    return admin, ae, ada, bob


def _events(session):
    return session.scalar(select(func.count()).select_from(EngagementEvent))


def test_events_by_email_external_id_and_id_are_stored_and_rescored(session, people, tmp_path):
    admin, _ae, ada, bob = people
    before = service.score_of(session, ada.id).total
    path = tmp_path / "events.csv"
    path.write_text(
        "\ufeffEmail;External ID;Contact ID;Event Type;Date;Subject\r\n"
        f"ada@example.com;;;Demo request;{RECENT};Asked for a demo\r\n"
        f";00Q-BOB;;webinar;{RECENT} 10:30;Platform webinar\r\n"
        f";;{ada.id};page_view;{RECENT};\r\n",
        encoding="utf-8",
    )
    report = import_events(session, actor=admin, path=path)
    session.commit()
    assert (report.rows, report.created, report.error_count) == (3, 3, 0)
    kinds = {(e.contact_id, e.kind, e.source) for e in session.scalars(select(EngagementEvent))}
    assert kinds == {
        (ada.id, EventKind.DEMO_REQUEST, "import"),
        (bob.id, EventKind.WEBINAR_ATTENDED, "import"),
        (ada.id, EventKind.PAGE_VIEW, "import"),
    }
    assert service.score_of(session, ada.id).total > before  # re-scored with the new events


def test_every_bad_row_is_reported_and_nothing_is_written(session, people, tmp_path):
    admin, *_ = people
    future = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    path = tmp_path / "events.csv"
    path.write_text(
        "email,kind,occurred_at\n"
        f"ada@example.com,demo_request,{RECENT}\n"
        f"nobody@example.com,demo_request,{RECENT}\n"
        f"ada@example.com,carrier pigeon,{RECENT}\n"
        "ada@example.com,webinar,yesterday-ish\n"
        f"ada@example.com,webinar,{future}\n"
        f",webinar,{RECENT}\n"
    )
    with pytest.raises(ImportRejected) as info:
        import_events(session, actor=admin, path=path)
    errors = {(e.line, e.column): e.reason for e in info.value.report.errors}
    assert errors[(3, "email")] == "no contact 'nobody@example.com'"
    assert "'carrier pigeon' is not an event kind" in errors[(4, "kind")]
    assert "'yesterday-ish' is not a date" in errors[(5, "occurred_at")]
    assert errors[(6, "occurred_at")] == "the event is in the future"
    assert errors[(7, "email")] == "no contact is named"
    assert info.value.report.error_count == 5
    assert _events(session) == 0


def test_a_dry_run_writes_nothing_and_a_mapping_renames_columns(session, people, tmp_path):
    admin, *_ = people
    path = tmp_path / "events.csv"
    path.write_text(
        f"Who,What,When\nada@example.com,Signed up,{RECENT[8:10]}/{RECENT[5:7]}/{RECENT[:4]}\n"
    )
    mapping = MappingFile(
        columns={"Who": "email", "What": "kind", "When": "occurred_at"},
        values={"kind": {"Signed up": "trial_signup"}},
        date_formats=["%d/%m/%Y"],
    )
    dry = import_events(session, actor=admin, path=path, mapping=mapping, dry_run=True)
    assert (dry.created, _events(session)) == (1, 0)
    import_events(session, actor=admin, path=path, mapping=mapping)
    assert session.scalar(select(EngagementEvent.kind)) is EventKind.TRIAL_SIGNUP


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("email,occurred_at\na@b.example,2026-01-01\n", "needs a column for kind"),
        ("kind,occurred_at\nwebinar,2026-01-01\n", "a column naming the contact"),
        ("email,kind,occurred_at\n", "header but no data rows"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused(session, people, tmp_path, content, reason):
    admin, *_ = people
    path = tmp_path / "events.csv"
    path.write_text(content)
    with pytest.raises(InvalidInput, match=reason) as info:
        import_events(session, actor=admin, path=path)
    assert info.value.field == "file"


def test_only_admins_and_managers_import_events(session, people, tmp_path):
    _admin, ae, *_ = people
    path = tmp_path / "events.csv"
    path.write_text(f"email,kind,occurred_at\nada@example.com,webinar,{RECENT}\n")
    with pytest.raises(PermissionDenied):
        import_events(session, actor=ae, path=path)


def test_events_through_the_api(api_as, session, people):
    _admin, *_ = people
    manager = api_as(Role.MANAGER)
    good = f"email,kind,occurred_at\nada@example.com,email click,{RECENT}\n"
    r = manager.post("/api/v1/imports/events", files={"file": ("e.csv", good, "text/csv")}, data={})
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 1
    bad = "email,kind,occurred_at\nada@example.com,email click,someday\n"
    r = manager.post("/api/v1/imports/events", files={"file": ("e.csv", bad, "text/csv")})
    assert r.status_code == 422
    assert r.json()["report"]["errors"][0]["column"] == "occurred_at"
    assert _events(session) == 1
