"""CSV import in the web UI: upload, preview and dry run, adjust, confirm; bad input on the form;
uploads private to the person who made them."""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from techwin.auth.enums import Role
from techwin.pipeline.imports import staging
from techwin.pipeline.models import Account, Contact, Opportunity
from tests.pipeline.imports.conftest import SF_LEADS, SF_OPPORTUNITIES

TOKEN_URL = re.compile(r"^/imports/([A-Za-z0-9_-]+)$")


@pytest.fixture(autouse=True)
def private_staging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Uploads wait in this test's own temporary directory."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path / staging.ROOT_NAME


@pytest.fixture
def owner(make_user):
    """The owner the sample files name (by email and by name)."""
    return make_user(Role.AE, email="owner@example.com", full_name="Olive Owner")


@pytest.fixture
def manager(signed_in, owner):
    return signed_in(Role.MANAGER)


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def upload(browser, content, *, name="leads.csv", entity="contacts", preset="auto", **fields):
    """Post the upload form as the page does (multipart, with the CSRF token)."""
    files = {"file": (name, content.encode() if isinstance(content, str) else content, "text/csv")}
    data = {"entity": entity, "preset": preset, **fields}
    return browser.post("/imports", data, files=files)


def token_of(response):
    assert response.status_code == 303, response.text
    match = TOKEN_URL.match(response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


def test_only_admins_and_managers_see_the_import_page(signed_in, browser, make_user):
    ae = signed_in(Role.AE)
    assert 'href="/imports"' not in ae.get("/").text
    assert ae.get("/imports").status_code == 403
    refused = upload(ae, SF_LEADS)
    assert refused.status_code == 403
    browser.client.cookies.clear()
    manager = signed_in(Role.MANAGER)
    home = manager.get("/").text
    assert 'href="/imports"' in home
    page = manager.get("/imports")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert 'name="csrf_token"' in page.text
    assert 'aria-current="page"' in page.text.split('href="/imports"')[1][:60]


def test_upload_preview_confirm_creates_the_records(manager, session):
    before = count(session, Contact)
    token = token_of(upload(manager, SF_LEADS))

    page = manager.get(f"/imports/{token}")
    assert page.status_code == 200
    text = page.text
    assert "Salesforce export" in text
    assert "(detected)" in text
    assert 'data-fact="encoding">UTF-8<' in text
    assert 'data-fact="delimiter">comma<' in text
    # The mapping: built-in fields, and the columns that become custom fields with their type.
    assert re.search(r'data-column="Lead Status".*?Lifecycle stage', text, re.S)
    custom = re.search(r'data-column="Annual Revenue">(.*?)</tr>', text, re.S)
    assert custom
    assert "annual_revenue" in custom.group(1)
    assert "new custom field" in custom.group(1)
    assert "number" in custom.group(1)
    # The first rows as stored: the lead status mapped, the date read the American way.
    assert "Sales accepted" in text
    assert "2026-03-14" in text
    # The dry run's counts, and nothing written.
    assert 'data-count="rows">4<' in text
    assert 'data-count="created">4<' in text
    assert 'data-count="errors">0<' in text
    assert 'data-import-status="ok"' in text
    assert count(session, Contact) == before

    confirmed = manager.post(f"/imports/{token}/confirm")
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == f"/imports/{token}"
    assert count(session, Contact) == before + 4
    maria = session.scalar(select(Contact).where(Contact.email == "maria@globex.example"))
    assert maria.custom["annual_revenue"] == 1200000.0

    done = manager.get(f"/imports/{token}").text
    assert 'data-import-status="imported"' in done
    assert "Imported 4 new and 0 updated leads." in done  # the flash
    assert 'href="/leads?sort=-created"' in done
    leads = manager.get("/leads?sort=-created").text
    assert "maria@globex.example" in leads

    # Confirming again (a double click, a reload) imports nothing more.
    again = manager.post(f"/imports/{token}/confirm")
    assert again.status_code == 303
    assert count(session, Contact) == before + 4


def test_a_dry_run_writes_nothing(manager, session):
    contacts, accounts = count(session, Contact), count(session, Account)
    token = token_of(upload(manager, SF_LEADS, update="true", create_users="true"))
    page = manager.get(f"/imports/{token}").text
    assert 'data-count="accounts">3<' in page  # Globex, Initech, Hooli would be created
    assert (count(session, Contact), count(session, Account)) == (contacts, accounts)
    # Checking again with other choices writes nothing either.
    rechecked = manager.post(
        f"/imports/{token}/check",
        {"entity": "contacts", "preset": "salesforce", "mapping": "unmapped: ignore"},
    )
    assert rechecked.status_code == 303
    page = manager.get(f"/imports/{token}").text
    assert "new custom field" not in page
    assert (count(session, Contact), count(session, Account)) == (contacts, accounts)


BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


@pytest.mark.parametrize(
    ("content", "fields", "field", "reason"),
    [
        (None, {}, "file", "choose the CSV file to import"),
        (b"", {}, "file", "the file is empty"),
        ("Lead ID,First Name,Last Name\r\n", {}, "file", "a header but no data rows"),
        (BINARY, {}, "file", "binary file"),
        (SF_LEADS, {"mapping": "columns: [unclosed"}, "mapping", "not valid YAML"),
        (SF_LEADS, {"mapping": "- just\n- a list"}, "mapping", "not a mapping"),
        (SF_LEADS, {"mapping": "colums: {}"}, "mapping", "colums: Extra inputs"),
        (
            SF_LEADS,
            {"mapping": 'columns: {"Region (custom)": region}'},
            "mapping",
            "names column 'Region (custom)', which is not in the file",
        ),
        (
            SF_LEADS,
            {"mapping": 'columns: {"Rating": rating}'},
            "mapping",
            "maps to 'rating', which is not a contacts field",
        ),
        (SF_LEADS, {"mapping": "encoding: klingon"}, "mapping", "unknown encoding"),
        (SF_LEADS, {"entity": "widgets"}, "entity", "choose accounts"),
        (SF_LEADS, {"preset": "pipedrive"}, "preset", "choose Salesforce"),
        ("Name,Email\r\nAda,ada@example.com\r\n", {}, "mapping", "no column maps to 'last_name'"),
    ],
    ids=[
        "no-file",
        "empty",
        "header-only",
        "binary",
        "bad-yaml",
        "yaml-not-a-mapping",
        "unknown-key",
        "missing-column",
        "unknown-field",
        "unknown-encoding",
        "unknown-record-type",
        "unknown-preset",
        "required-field-unmapped",
    ],
)
def test_bad_input_is_shown_on_the_form(
    manager, session, private_staging, content, fields, field, reason
):
    before = count(session, Contact), count(session, Account)
    data = {"entity": "contacts", "preset": "auto", **fields}
    if content is None:
        response = manager.post("/imports", data, files={"file": ("", b"", "text/csv")})
    else:
        response = upload(manager, content, **data)
    assert response.status_code == 422
    error = re.search(rf'id="f-{field}-error">(.*?)</p>', response.text, re.S)
    assert error, response.text
    assert reason in error.group(1).replace("&#39;", "'").replace("&#34;", '"')
    assert "Please correct" in response.text  # the summary at the top names the field too
    assert (count(session, Contact), count(session, Account)) == before
    # The refused upload is not kept.
    assert not any(private_staging.glob("*/*")) if private_staging.exists() else True


def test_a_mapping_file_can_be_uploaded_instead_of_typed(manager):
    mapping = b'columns:\n  "Rating": ignore\n'
    response = manager.post(
        "/imports",
        {"entity": "contacts", "preset": "salesforce"},
        files={
            "file": ("leads.csv", SF_LEADS.encode(), "text/csv"),
            "mapping_file": ("map.yaml", mapping, "application/x-yaml"),
        },
    )
    page = manager.get(f"/imports/{token_of(response)}").text
    assert re.search(r'data-column="Rating">.*?ignored', page, re.S)
    assert "&#34;Rating&#34;: ignore" in page  # the mapping is shown, editable, on the page
    both = manager.post(
        "/imports",
        {"entity": "contacts", "preset": "salesforce", "mapping": "unmapped: ignore"},
        files={
            "file": ("leads.csv", SF_LEADS.encode(), "text/csv"),
            "mapping_file": ("map.yaml", mapping, "application/x-yaml"),
        },
    )
    assert both.status_code == 422
    assert 'id="f-mapping_file-error"' in both.text


def test_bad_rows_block_the_confirm_until_the_mapping_is_fixed(manager, session):
    deals = SF_OPPORTUNITIES.replace("Needs Analysis", "Verbal Yes")
    before = count(session, Opportunity)
    token = token_of(upload(manager, deals, name="deals.csv", entity="opportunities"))
    page = manager.get(f"/imports/{token}").text
    assert 'data-import-status="bad"' in page
    row = re.search(r'<tbody>\s*<tr><td class="num">(\d+)</td><td class="strong">(.*?)</td>', page)
    assert row
    assert row.groups() == ("2", "Stage")
    assert "value &#39;Verbal Yes&#39; is not mapped to a pipeline stage" in page
    assert re.search(r'<button class="btn btn-primary" type="submit" disabled', page)

    refused = manager.post(f"/imports/{token}/confirm")
    assert refused.status_code == 409
    assert count(session, Opportunity) == before

    fixed = manager.post(
        f"/imports/{token}/check",
        {
            "entity": "opportunities",
            "preset": "salesforce",
            "mapping": "values:\n  stage:\n    Verbal Yes: negotiation\n"
            "    Closed Won: closed_won\n    Proposal/Price Quote: proposal\n",
        },
    )
    assert fixed.status_code == 303
    page = manager.get(f"/imports/{token}").text
    assert 'data-import-status="ok"' in page
    assert manager.post(f"/imports/{token}/confirm").status_code == 303
    assert count(session, Opportunity) == before + 3


def test_rows_the_reader_cannot_split_are_bad_rows_too(manager):
    text = 'Lead ID,Last Name,Email\r\nL1,Lopez,maria@globex.example\r\nL2,"Chen",x,extra\r\n'
    page = manager.get(f"/imports/{token_of(upload(manager, text))}").text
    assert "has 4 fields, the header has 3" in page
    assert 'data-count="errors">1<' in page
    assert re.search(r'<td class="num">3</td><td class="strong">\(row\)</td>', page)


def test_a_bad_mapping_on_the_check_again_form_is_shown_there(manager):
    token = token_of(upload(manager, SF_LEADS))
    response = manager.post(
        f"/imports/{token}/check",
        {"entity": "contacts", "preset": "salesforce", "mapping": 'columns: {"Nope": name}'},
    )
    assert response.status_code == 422
    assert 'id="adjust-form"' in response.text
    assert "names column &#39;Nope&#39;, which is not in the file" in response.text
    htmx = manager.client.post(
        f"/imports/{token}/check",
        data={"entity": "contacts", "preset": "salesforce", "mapping": "columns: ["},
        headers={"HX-Request": "true", "HX-Target": "adjust-form", "X-CSRF-Token": manager.csrf},
    )
    assert htmx.status_code == 422
    assert htmx.headers["X-Techwin-Form"] == "invalid"
    assert htmx.text.lstrip().startswith("<form")
    assert 'id="f-mapping-error"' in htmx.text


def test_another_person_cannot_see_confirm_or_discard_an_upload(
    browser, signed_in, make_user, owner, session
):
    first = signed_in(Role.MANAGER)
    token = token_of(upload(first, SF_LEADS))
    first_csrf = first.csrf
    browser.client.cookies.clear()
    other = signed_in(Role.ADMIN)
    assert other.csrf != first_csrf
    before = count(session, Contact)
    assert other.get(f"/imports/{token}").status_code == 404
    assert other.post(f"/imports/{token}/confirm").status_code == 404
    assert other.post(f"/imports/{token}/check", {"entity": "contacts"}).status_code == 404
    assert other.post(f"/imports/{token}/discard").status_code == 404
    assert other.get("/imports/..%2F..%2Fetc").status_code == 404
    assert count(session, Contact) == before


def test_every_post_needs_the_csrf_token(manager, session):
    refused = manager.post(
        "/imports",
        {"entity": "contacts", "preset": "auto"},
        files={"file": ("leads.csv", SF_LEADS.encode(), "text/csv")},
        csrf=False,
    )
    assert refused.status_code == 403
    token = token_of(upload(manager, SF_LEADS))
    before = count(session, Contact)
    assert manager.post(f"/imports/{token}/confirm", csrf=False).status_code == 403
    assert count(session, Contact) == before


def test_htmx_upload_answers_with_the_form_or_a_redirect(manager):
    headers = {"HX-Request": "true", "HX-Target": "import-form", "X-CSRF-Token": manager.csrf}
    bad = manager.client.post(
        "/imports",
        data={"entity": "contacts", "preset": "auto"},
        files={"file": ("empty.csv", b"", "text/csv")},
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.headers["X-Techwin-Form"] == "invalid"
    assert bad.text.lstrip().startswith("<form")
    good = manager.client.post(
        "/imports",
        data={"entity": "contacts", "preset": "auto"},
        files={"file": ("leads.csv", SF_LEADS.encode(), "text/csv")},
        headers=headers,
    )
    assert good.status_code == 204
    assert TOKEN_URL.match(good.headers["HX-Redirect"])


def test_many_bad_rows_are_paged(manager):
    lines = ["Lead ID,Last Name,Email"] + [f"L{n},Person {n},not-an-email-{n}" for n in range(250)]
    token = token_of(upload(manager, "\r\n".join(lines) + "\r\n", preset="salesforce"))
    first = manager.get(f"/imports/{token}").text
    assert 'data-count="errors">250<' in first
    listed = first.split('id="bad-rows"', 1)[1].split('id="mapping"', 1)[0]
    assert listed.count("is not a valid email address") == 200
    assert first.count("is not a valid email address") == 200 + 10  # and in the first rows
    assert "1–200 of 250 bad rows listed" in first
    second = manager.client.get(
        f"/imports/{token}?page=2", headers={"HX-Request": "true", "HX-Target": "bad-rows"}
    )
    assert second.status_code == 200
    assert "<html" not in second.text
    assert second.text.count("is not a valid email address") == 50
    assert "201–250 of 250" in second.text


def test_discarded_and_old_uploads_are_gone(manager, private_staging):
    token = token_of(upload(manager, SF_LEADS))
    assert manager.post(f"/imports/{token}/discard").status_code == 303
    assert manager.get(f"/imports/{token}").status_code == 404

    old = token_of(upload(manager, SF_LEADS))
    folder = next(private_staging.glob(f"*/{old}"))
    stale = time.time() - staging.KEEP_SECONDS - 60
    os.utime(folder, (stale, stale))
    assert manager.get(f"/imports/{old}").status_code == 404
    assert not folder.exists()

    older = token_of(upload(manager, SF_LEADS))
    folder = next(private_staging.glob(f"*/{older}"))
    os.utime(folder, (stale, stale))
    token_of(upload(manager, SF_LEADS))  # a new upload sweeps the old ones away
    assert not folder.exists()
