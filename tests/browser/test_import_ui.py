"""Importing a Salesforce leads export in a real browser: a mapping naming a column the file lacks
is refused beside the field; the upload is previewed and dry-run; confirming imports every row and
the leads are in the list. Screenshots go to test-artifacts/imports/."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy.orm import Session

from techwin.auth import service as auth_service
from techwin.auth.enums import Role
from techwin.auth.schemas import UserCreate
from tests.browser.support import running_server, sign_in

pytestmark = pytest.mark.browser

MANAGER = "adrian.vega@example.com"
PASSWORD = "correct horse battery"
HEADER = [
    "Lead ID",
    "First Name",
    "Last Name",
    "Title",
    "Company",
    "Email",
    "Phone",
    "Lead Source",
    "Lead Status",
    "Lead Owner",
    "Created Date",
    "Annual Revenue",
    "Rating",
    "No. of Employees",
]
PEOPLE = [
    ("Maria", "Lopez", "VP Engineering", "Globex", "Web", "Open - Not Contacted", "Hot"),
    ("Sam", "O'Brien", "IT Manager", "Initech", "Partner Referral", "Working - Contacted", "Warm"),
    ("Lee", "Chen", "Architect", "Globex", "Select", "Closed - Not Converted", "Cold"),
    ("Ana", "Silva", "Head of Data", "Hooli", "Trade Show", "Closed - Converted", "Hot"),
    ("Kofi", "Mensah", "CTO", "Vandelay", "Webinar", "Open - Not Contacted", "Warm"),
    ("Aiko", "Tanaka", "Platform Lead", "Soylent", "Web", "Working - Contacted", "Hot"),
    ("Lina", "Torres", "CIO", "Umbrella", "Partner Referral", "Open - Not Contacted", "Cold"),
    ("Rahul", "Iyer", "Director IT", "Wonka", "Trade Show", "Working - Contacted", "Warm"),
    ("Mei", "Brandt", "Data Engineer", "Initech", "Web", "Open - Not Contacted", "Cold"),
    ("Sean", "Walsh", "VP Operations", "Hooli", "Webinar", "Closed - Converted", "Hot"),
    ("Nora", "Berg", "Security Lead", "Vandelay", "Web", "Open - Not Contacted", "Warm"),
    ("Omar", "Haddad", "Head of IT", "Soylent", "Partner Referral", "Working - Contacted", "Hot"),
]


def _leads_csv() -> bytes:
    """A leads export as Salesforce writes it: BOM, every cell quoted, CRLF, US dates; one lead
    has a status of the organisation's own ("Engaged") that the preset does not know."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(HEADER)
    for n, (first, last, title, company, source, status, rating) in enumerate(PEOPLE, start=1):
        domain = f"{company.lower()}.example"
        writer.writerow(
            [
                f"00Q5g00000B{n:03d}",
                first,
                last,
                title,
                company,
                f"{first.lower()}.{last.lower().replace(chr(39), '')}@{domain}",
                f"+1 415 555 {1000 + n}",
                source,
                "Engaged" if n == 7 else status,
                "Priya Shah" if n % 2 else MANAGER,
                f"{(n % 12) + 1:02d}/{(n * 2) % 28 + 1:02d}/2026",
                f"{n * 250_000:,}",
                rating,
                str(50 * n),
            ]
        )
    return "\ufeff".encode() + out.getvalue().encode()


def _top(page) -> None:
    """Scroll back up, so a full-page screenshot shows the page as it opens."""
    page.evaluate("window.scrollTo(0, 0)")


def _people(session: Session) -> None:
    for email, name, role in (
        (MANAGER, "Adrian Vega", Role.MANAGER),
        ("priya.shah@example.com", "Priya Shah", Role.SE),
    ):
        auth_service.create_user(
            session,
            actor=None,
            data=UserCreate(email=email, full_name=name, role=role, password=PASSWORD),
        )


def test_importing_a_salesforce_leads_export(tmp_path, monkeypatch, new_page, artifacts_dir):
    shot = artifacts_dir / "imports"
    shot.mkdir(exist_ok=True)
    leads = tmp_path / "Salesforce leads export.csv"
    leads.write_bytes(_leads_csv())
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the server keeps uploads in this test's folder
    with running_server(tmp_path, _people) as base:
        page, errors = new_page()
        sign_in(page, base, MANAGER, PASSWORD)
        page.click("nav >> text=Import")
        page.wait_for_url(f"{base}/imports")
        assert "Import from a CSV file" in page.inner_text("h1")

        # A mapping naming a column the file does not have: refused beside the field, in place.
        page.select_option("#f-entity", "contacts")
        page.set_input_files("#f-file", str(leads))
        page.click("summary:has-text('Refine the mapping')")
        page.fill("#f-mapping", 'columns:\n  "Region (custom)": region\n')
        with page.expect_response(re.compile(r"/imports$")) as answered:
            page.click("button:has-text('Upload and check')")
        assert answered.value.status == 422
        error = page.locator("#f-mapping-error")
        error.wait_for()
        assert "names column 'Region (custom)', which is not in the file" in error.inner_text()
        assert page.url == f"{base}/imports"
        _top(page)
        page.screenshot(path=shot / "01-upload-error.png", full_page=True)

        # The file again, without the mapping: the dry run finds the unknown status.
        page.fill("#f-mapping", "")
        page.set_input_files("#f-file", str(leads))
        page.click("button:has-text('Upload and check')")
        page.wait_for_url(re.compile(r"/imports/[A-Za-z0-9_-]{20,}$"))
        review = page.url
        assert "Check Salesforce leads export.csv" in page.inner_text("h1")
        assert page.locator('[data-import-status="bad"]').is_visible()
        assert page.inner_text('[data-count="errors"]') == "1"
        bad = page.inner_text("#bad-rows tbody")
        assert "8\tLead Status\tvalue 'Engaged' is not mapped to a lifecycle stage" in bad
        assert page.locator("#confirm-form button[type=submit]").is_disabled()
        _top(page)
        page.screenshot(path=shot / "02-bad-row.png", full_page=True)

        # Map the status on the same upload and check again: every row is good now.
        page.fill(
            "#adjust-form #f-mapping",
            "values:\n  lifecycle_stage:\n    Engaged: mql\n    Open - Not Contacted: lead\n"
            "    Working - Contacted: sal\n    Closed - Converted: sql\n"
            "    Closed - Not Converted: disqualified\n",
        )
        page.click("#adjust-form button:has-text('Check again')")
        page.locator('[data-import-status="ok"]').wait_for()
        assert page.url == review
        facts = page.inner_text(".facts")
        assert "Salesforce export (detected)" in facts
        assert "UTF-8 (with BOM)" in facts
        assert page.inner_text('[data-fact="delimiter"]') == "comma"
        mapping = page.locator("#mapping")
        assert "Lifecycle stage" in mapping.locator('tr[data-column="Lead Status"]').inner_text()
        revenue = mapping.locator('tr[data-column="Annual Revenue"]').inner_text()
        assert "annual_revenue" in revenue
        assert "new custom field" in revenue
        assert "number" in revenue
        employees = mapping.locator('tr[data-column="No. of Employees"]').inner_text()
        assert "no_of_employees" in employees
        sample = page.inner_text("#sample-rows")
        assert "Maria" in sample
        assert "Sales accepted" in sample  # "Working - Contacted"
        assert "Marketing qualified" in sample  # "Engaged", mapped on the page
        assert page.locator("#sample-rows tbody tr").count() == 10
        assert page.inner_text('[data-count="rows"]') == "12"
        assert page.inner_text('[data-count="created"]') == "12"
        assert page.inner_text('[data-count="errors"]') == "0"
        assert page.locator('[data-import-status="ok"]').is_visible()
        assert page.locator("#confirm-form button[type=submit]").is_enabled()
        _top(page)
        page.screenshot(path=shot / "03-preview.png", full_page=True)

        # Nothing is in the leads list yet: the dry run wrote nothing.
        page.goto(f"{base}/leads")
        assert "Maria Lopez" not in page.inner_text("main")
        page.goto(review)

        # Confirm: the busy bar shows while it runs, then the result.
        page.click("#confirm-form button[type=submit]")
        page.locator('[data-import-status="imported"]').wait_for()
        assert page.url == review
        assert "Imported 12 new and 0 updated leads." in page.inner_text("#toasts")
        assert page.inner_text('[data-count="created"]') == "12"
        assert "annual_revenue" in page.inner_text("main")
        page.wait_for_timeout(300)
        page.screenshot(path=shot / "04-imported.png", full_page=True)

        # The imported leads are in the list.
        page.click("[data-imported-list]")
        page.wait_for_url(re.compile(r"/leads\?sort=-created$"))
        listing = page.inner_text("#results")
        assert "Maria Lopez" in listing
        assert "Omar Haddad" in listing
        assert page.inner_text(".results-count strong") == "12"
        page.click("text=Maria Lopez")
        page.wait_for_url(re.compile(r"/leads/\d+$"))
        assert "Maria Lopez" in page.inner_text("h1")
        page.screenshot(path=shot / "05-imported-lead.png", full_page=True)

        assert errors == []
