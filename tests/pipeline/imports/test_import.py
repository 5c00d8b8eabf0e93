"""CSV import: presets, messy files, all-or-nothing, upserts, custom fields, round trips."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from techwin.auth.enums import Role
from techwin.errors import InvalidInput, PermissionDenied
from techwin.pipeline.enums import CustomFieldType, LifecycleStage
from techwin.pipeline.imports import source
from techwin.pipeline.imports.export import export_table
from techwin.pipeline.imports.mapping import MappingFile
from techwin.pipeline.imports.report import ImportRejected
from techwin.pipeline.imports.service import import_file
from techwin.pipeline.models import (
    Account,
    Contact,
    CustomField,
    LifecycleTransition,
    Opportunity,
    PipelineStage,
)
from tests import factories
from tests.pipeline.imports.conftest import HS_CONTACTS, HS_DEALS, SF_LEADS, SF_OPPORTUNITIES


@pytest.fixture
def admin(session):
    factories.user(
        session, role=Role.AE, email="owner@example.com", full_name="Olive Owner", password=None
    )
    return factories.user(session, role=Role.ADMIN, password=None)


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_salesforce_leads(session, admin, write_file):
    path = write_file("leads.csv", SF_LEADS)
    report = import_file(session, actor=admin, entity="contacts", path=path, preset="salesforce")
    assert (report.rows, report.created, report.error_count) == (4, 4, 0)
    maria = session.scalar(select(Contact).where(Contact.email == "maria@globex.example"))
    assert maria.external_id == "00Q5g00000A1"
    assert maria.lifecycle_stage is LifecycleStage.LEAD
    assert maria.created_at.date().isoformat() == "2026-03-14"
    assert maria.custom == {"annual_revenue": 1200000.0, "rating": "Hot", "outcome": False}
    sam = session.scalar(select(Contact).where(Contact.last_name == "O'Brien"))
    assert sam.lifecycle_stage is LifecycleStage.SAL
    assert sam.owner_id is not None  # matched by name
    lee = session.scalar(select(Contact).where(Contact.email == "lee@globex.example"))
    assert lee.source is None  # "Select" is a null token
    assert lee.lifecycle_stage is LifecycleStage.DISQUALIFIED
    assert (
        session.scalar(select(func.count()).select_from(Account).where(Account.name == "Globex"))
        == 1
    )
    moves = session.scalars(
        select(LifecycleTransition).where(LifecycleTransition.contact_id == maria.id)
    ).all()
    assert [(m.from_stage, m.to_stage, m.reason) for m in moves] == [
        (None, LifecycleStage.LEAD, "imported")
    ]
    types = {
        f.key: f.field_type
        for f in session.scalars(select(CustomField).where(CustomField.entity == "contact"))
    }
    assert types == {"annual_revenue": CustomFieldType.NUMBER, "rating": CustomFieldType.TEXT}


def test_salesforce_opportunities_with_quoted_newlines(session, admin, write_file):
    path = write_file("opps.csv", SF_OPPORTUNITIES)
    report = import_file(
        session, actor=admin, entity="opportunities", path=path, preset="salesforce"
    )
    assert (report.created, report.created_accounts) == (3, 3)
    globex = session.scalar(select(Opportunity).where(Opportunity.external_id == "0065g01"))
    assert globex.acv == Decimal("120000.00")
    assert globex.description == "Two teams,\nthree regions"
    assert globex.close_date.isoformat() == "2027-06-30"
    stage = session.get(PipelineStage, globex.stage_id)
    assert stage.key == "discovery"
    won = session.scalar(select(Opportunity).where(Opportunity.external_id == "0065g02"))
    assert session.get(PipelineStage, won.stage_id).key == "closed_won"
    assert won.closed_at is not None


def test_hubspot_contacts_with_bom_and_deals(session, admin, write_file):
    report = import_file(
        session,
        actor=admin,
        entity="contacts",
        path=write_file("hs.csv", HS_CONTACTS),
        preset="hubspot",
    )
    assert report.created == 3
    assert report.encoding == "utf-8-sig"
    ivy = session.scalar(select(Contact).where(Contact.external_id == "101"))
    assert ivy.lifecycle_stage is LifecycleStage.MQL
    assert ivy.custom == {"number_of_pageviews": 12.0}
    zoe = session.scalar(select(Contact).where(Contact.external_id == "103"))
    assert zoe.lifecycle_stage is LifecycleStage.CUSTOMER
    assert zoe.furthest_rank == 5
    deals = import_file(
        session,
        actor=admin,
        entity="opportunities",
        path=write_file("deals.csv", HS_DEALS),
        preset="hubspot",
    )
    assert deals.created == 2
    assert deals.created_accounts == 0  # Umbrella and Soylent came with the contacts
    lost = session.scalar(select(Opportunity).where(Opportunity.external_id == "9002"))
    assert session.get(PipelineStage, lost.stage_id).key == "closed_lost"


def test_messy_latin1_semicolons_and_trailing_delimiters(session, admin, write_file):
    text = (
        "First Name;Last Name;Email;Company;Lead Status;Created Date;\r\n"
        "Zoë;Müller;zoe@muller.example;Bäckerei GmbH;Open - Not Contacted;14.03.2026;\r\n"
        "Jürgen;Groß;N/A;Bäckerei GmbH;Working - Contacted;01.02.2026;\r\n"
    )
    path = write_file("latin.csv", text, encoding="latin-1")
    mapping = MappingFile(date_formats=["%d.%m.%Y"])
    report = import_file(
        session, actor=admin, entity="contacts", path=path, preset="salesforce", mapping=mapping
    )
    assert (report.created, report.encoding, report.delimiter) == (2, "latin-1", ";")
    juergen = session.scalar(select(Contact).where(Contact.first_name == "Jürgen"))
    assert juergen.email is None
    assert juergen.created_at.date().isoformat() == "2026-02-01"
    assert (
        session.scalar(select(Account.name).where(Account.id == juergen.account_id))
        == "Bäckerei GmbH"
    )


def test_bad_rows_are_all_reported_and_nothing_is_written(session, admin, write_file):
    text = SF_LEADS.replace("maria@globex.example", "maria-at-globex").replace(
        "Working - Contacted", "Nurturing Maybe"
    )
    path = write_file("bad.csv", text)
    before = count(session, Contact)
    with pytest.raises(ImportRejected) as info:
        import_file(session, actor=admin, entity="contacts", path=path, preset="salesforce")
    report = info.value.report
    assert report.error_count == 2
    errors = {(e.line, e.column) for e in report.errors}
    assert errors == {(2, "Email"), (3, "Lead Status")}
    assert "add it to values.lifecycle_stage" in next(
        e.reason for e in report.errors if e.column == "Lead Status"
    )
    assert count(session, Contact) == before
    assert count(session, Account) == 0


def test_dry_run_counts_exactly_and_writes_nothing(session, admin, write_file):
    path = write_file("leads.csv", SF_LEADS)
    report = import_file(
        session, actor=admin, entity="contacts", path=path, preset="salesforce", dry_run=True
    )
    assert (report.created, report.dry_run) == (4, True)
    assert count(session, Contact) == 0
    assert count(session, Account) == 0
    assert count(session, CustomField) == 0


def test_reimport_with_update_is_idempotent_and_applies_changes(session, admin, write_file):
    path = write_file("leads.csv", SF_LEADS)
    import_file(session, actor=admin, entity="contacts", path=path, preset="salesforce")
    again = import_file(
        session, actor=admin, entity="contacts", path=path, preset="salesforce", update=True
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert count(session, Contact) == 4
    changed = write_file("leads2.csv", SF_LEADS.replace("VP Engineering", "CTO"))
    without = import_file(
        session, actor=admin, entity="contacts", path=changed, preset="salesforce"
    )
    assert (without.created, without.updated) == (0, 0)
    applied = import_file(
        session, actor=admin, entity="contacts", path=changed, preset="salesforce", update=True
    )
    assert (applied.created, applied.updated, applied.unchanged) == (0, 1, 3)
    maria = session.scalar(select(Contact).where(Contact.external_id == "00Q5g00000A1"))
    session.refresh(maria)
    assert maria.title == "CTO"
    assert maria.version == 2


def test_duplicate_keys_in_one_file_are_refused(session, admin, write_file):
    lines = SF_LEADS.split("\r\n")
    path = write_file("dup.csv", "\r\n".join([*lines[:3], lines[1]]) + "\r\n")
    with pytest.raises(ImportRejected) as info:
        import_file(session, actor=admin, entity="contacts", path=path, preset="salesforce")
    assert any(
        "appears earlier in the file, at line 2" in e.reason for e in info.value.report.errors
    )


def test_unknown_owner_is_reported_or_created_inactive(session, admin, write_file):
    path = write_file("owners.csv", SF_LEADS.replace("Olive Owner", "Nobody Known"))
    with pytest.raises(ImportRejected) as info:
        import_file(session, actor=admin, entity="contacts", path=path, preset="salesforce")
    assert [e.line for e in info.value.report.errors] == [3]
    report = import_file(
        session, actor=admin, entity="contacts", path=path, preset="salesforce", create_users=True
    )
    assert report.created_users == ["nobody_known@imported.invalid"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"First Name,Last Name\r\n", "no data rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ],
)
def test_files_that_are_not_importable(session, admin, write_file, content, message):
    with pytest.raises(InvalidInput, match=message):
        import_file(
            session,
            actor=admin,
            entity="contacts",
            path=write_file("x.csv", content),
            preset="generic",
        )


def test_oversized_file_is_refused(session, admin, write_file, monkeypatch):
    monkeypatch.setattr(source, "MAX_BYTES", 100)
    with pytest.raises(InvalidInput, match="limit is 1 GiB"):
        import_file(
            session,
            actor=admin,
            entity="contacts",
            path=write_file("big.csv", SF_LEADS),
            preset="salesforce",
        )


def test_mapping_naming_a_missing_column_is_refused(session, admin, write_file):
    mapping = MappingFile(columns={"Favourite Colour": "title"})
    with pytest.raises(InvalidInput, match="'Favourite Colour', which is not in the file"):
        import_file(
            session,
            actor=admin,
            entity="contacts",
            path=write_file("l.csv", SF_LEADS),
            preset="salesforce",
            mapping=mapping,
        )


def test_value_map_leaving_a_stage_unmapped_is_reported(session, admin, write_file):
    mapping = MappingFile(values={"lifecycle_stage": {"Open - Not Contacted": "lead"}})
    text = SF_LEADS.replace("Working - Contacted", "Engaged")
    with pytest.raises(ImportRejected) as info:
        import_file(
            session,
            actor=admin,
            entity="contacts",
            path=write_file("l.csv", text),
            preset="salesforce",
            mapping=mapping,
        )
    assert "'Engaged' is not mapped" in info.value.report.errors[0].reason


def test_declared_custom_type_is_checked(session, admin, write_file):
    mapping = MappingFile(custom_types={"rating": CustomFieldType.NUMBER})
    with pytest.raises(ImportRejected) as info:
        import_file(
            session,
            actor=admin,
            entity="contacts",
            path=write_file("l.csv", SF_LEADS),
            preset="salesforce",
            mapping=mapping,
        )
    assert {e.column for e in info.value.report.errors} == {"Rating"}


def test_only_admins_and_managers_import(session, admin, write_file):
    ae = factories.user(session, role=Role.AE, password=None)
    with pytest.raises(PermissionDenied):
        import_file(
            session,
            actor=ae,
            entity="contacts",
            path=write_file("l.csv", SF_LEADS),
            preset="salesforce",
        )


def test_export_then_import_is_identical(session, admin, write_file, tmp_path):
    import csv

    import_file(
        session,
        actor=admin,
        entity="contacts",
        path=write_file("leads.csv", SF_LEADS),
        preset="salesforce",
    )
    header, rows = export_table(session, "contacts")
    first = [header, *[[("" if v is None else str(v)) for v in r] for r in rows]]
    exported = tmp_path / "contacts.csv"
    with exported.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(first)
    # The same file into the same database: nothing changes.
    report = import_file(
        session, actor=admin, entity="contacts", path=exported, preset="generic", update=True
    )
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    header2, rows2 = export_table(session, "contacts")
    second = [header2, *[[("" if v is None else str(v)) for v in r] for r in rows2]]
    assert second == first


def test_a_mapping_value_map_adds_to_the_presets(session, admin, write_file):
    text = SF_LEADS.replace("Working - Contacted", "Engaged")
    path = write_file("leads.csv", text)
    mapping = MappingFile(values={"lifecycle_stage": {"Engaged": "mql"}})
    report = import_file(
        session, actor=admin, entity="contacts", path=path, preset="salesforce", mapping=mapping
    )
    assert report.error_count == 0
    stages = dict(session.execute(select(Contact.last_name, Contact.lifecycle_stage)).all())
    assert stages["O'Brien"] is LifecycleStage.MQL  # from the mapping
    assert LifecycleStage.DISQUALIFIED in stages.values()  # the preset's own values still apply


def test_imported_contacts_are_scored_unless_asked_not_to(session, admin, write_file):
    from techwin.scoring.models import LeadScore
    from techwin.scoring.playbook import seed_scoring

    seed_scoring(session)
    path = write_file("leads.csv", SF_LEADS)
    import_file(session, actor=admin, entity="contacts", path=path, preset="salesforce")
    assert count(session, LeadScore) == count(session, Contact) == 4
    again = write_file("more.csv", "Email,Last Name\nnew@example.com,New\n")
    import_file(session, actor=admin, entity="contacts", path=again, follow_up=False)
    assert count(session, LeadScore) == 4
    assert count(session, Contact) == 5
