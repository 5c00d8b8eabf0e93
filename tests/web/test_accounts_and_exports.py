"""Accounts forms, and CSV exports that match the list's filters exactly."""

from __future__ import annotations

import csv
import io

from techwin.auth.enums import Role
from techwin.pipeline.models import Account
from tests import factories


def test_create_and_edit_an_account(signed_in, session):
    browser = signed_in(Role.AE)
    created = browser.post("/accounts", {"name": "Vandelay Industries", "employee_count": "250"})
    assert created.status_code == 303
    account_id = int(created.headers["location"].rsplit("/", 1)[1])
    account = session.get(Account, account_id)
    edit = browser.get(f"/accounts/{account_id}/edit")
    assert 'value="Vandelay Industries"' in edit.text
    blank = browser.post(
        f"/accounts/{account_id}/edit", {"name": " ", "version": str(account.version)}
    )
    assert blank.status_code == 422
    assert 'id="f-name-error"' in blank.text
    bad = browser.post(
        f"/accounts/{account_id}/edit",
        {"name": "Vandelay", "employee_count": "lots", "version": str(account.version)},
    )
    assert bad.status_code == 422
    assert 'id="f-employee_count-error"' in bad.text
    ok = browser.post(
        f"/accounts/{account_id}/edit",
        {"name": "Vandelay Imports", "employee_count": "300", "version": str(account.version)},
    )
    assert ok.status_code == 303
    page = browser.get(f"/accounts/{account_id}").text
    assert "Vandelay Imports" in page
    assert "Account edited" in page  # the audit timeline


def test_account_search_and_picker_options(signed_in, session):
    browser = signed_in(Role.AE)
    factories.account(session, name="Soylent Foods")
    factories.account(session, name="Wonka Sweets")
    session.commit()
    listing = browser.get("/accounts?q=soyl").text
    assert "Soylent Foods" in listing
    assert "Wonka Sweets" not in listing
    options = browser.htmx("GET", "/accounts/options", "f-account_id", {"account_q": "wonka"})
    assert "Wonka Sweets" in options.text
    assert "Soylent" not in options.text


def _rows(response):
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    return list(csv.reader(io.StringIO(response.text)))


def test_lead_export_has_exactly_the_filtered_rows(signed_in, session):
    browser = signed_in(Role.AE)
    mine = [
        factories.contact(session, actor=browser.user, source="webinar", last_name=f"Web{i}")
        for i in range(3)
    ]
    factories.contact(session, actor=browser.user, source="referral", last_name="Other")
    factories.contact(session, actor=browser.user, source="webinar", last_name="=HYPERLINK(1)")
    session.commit()
    query = f"source=webinar&owner_id={browser.user.id}&sort=name&page=2&size=1"
    listing = browser.get(f"/leads?{query}").text
    assert f"/leads/export?source=webinar&amp;owner_id={browser.user.id}&amp;sort=name" in listing
    rows = _rows(browser.get(f"/leads/export?source=webinar&owner_id={browser.user.id}&sort=name"))
    assert rows[0][:4] == ["id", "first_name", "last_name", "email"]
    names = [r[2] for r in rows[1:]]
    assert names == ["'=HYPERLINK(1)", *[c.last_name for c in mine]]  # formulas neutralised
    assert all(r[7] == "webinar" for r in rows[1:])


def test_lead_export_with_a_bad_filter_is_refused_clearly(signed_in):
    browser = signed_in(Role.AE)
    response = browser.get("/leads/export?created_to=soon")
    assert response.status_code == 422
    assert "is not a date" in response.text


def test_deal_export_follows_the_filters(signed_in, session, make_user):
    browser = signed_in(Role.AE)
    other = make_user(Role.AE)
    factories.opportunity(session, actor=browser.user, name="Mine A", acv="1000")
    factories.opportunity(session, actor=browser.user, name="Mine B", acv="2000")
    factories.opportunity(session, actor=other, name="Theirs", acv="3000")
    session.commit()
    rows = _rows(browser.get(f"/opportunities/export?owner_id={browser.user.id}&sort=-acv"))
    assert [r[1] for r in rows[1:]] == ["Mine B", "Mine A"]
    assert rows[1][9] == "2000.00"


def test_account_export_follows_the_search_and_sort(signed_in, session, api_as):
    browser = signed_in(Role.AE)
    for name in ("Globex Zeta", "Globex Alpha", "Initech", "=cmd|' /C calc'!A0"):
        factories.account(session, actor=browser.user, name=name)
    session.commit()
    listing = browser.get("/accounts?q=globex&sort=name").text
    assert "/accounts/export?q=globex&amp;sort=name" in listing
    rows = _rows(browser.get("/accounts/export?q=globex&sort=name"))
    assert rows[0][:3] == ["id", "external_id", "name"]
    assert [r[2] for r in rows[1:]] == ["Globex Alpha", "Globex Zeta"]
    api = api_as(Role.VIEWER)
    everything = _rows(api.get("/api/v1/accounts/export", params={"sort": "name"}))
    assert "'=cmd|' /C calc'!A0" in [r[2] for r in everything[1:]]  # neutralised
