"""Every page renders for a signed-in person, with and without data."""

from __future__ import annotations

import pytest

from techwin.auth.enums import Role
from tests import factories


@pytest.fixture
def records(session, make_user):
    """An account with a lead and a deal, owned by a fresh AE."""
    owner = make_user(Role.AE)
    engineer = make_user(Role.SE)
    account = factories.account(session, actor=owner, name="Globex")
    lead = factories.contact(session, actor=owner, account_id=account.id, first_name="Ada")
    deal = factories.opportunity(
        session, actor=owner, account_id=account.id, name="Globex platform", se_ids=[engineer.id]
    )
    session.commit()
    return {"owner": owner, "account": account, "lead": lead, "deal": deal}


PAGES = [
    ("/", "Welcome back"),
    ("/leads", "Leads"),
    ("/leads/new", "New lead"),
    ("/leads/{lead}", "Lifecycle"),
    ("/leads/{lead}/edit", "Edit lead"),
    ("/accounts", "Accounts"),
    ("/accounts/new", "New account"),
    ("/accounts/{account}", "Globex"),
    ("/accounts/{account}/edit", "Edit account"),
    ("/opportunities", "Opportunities"),
    ("/opportunities/new", "New deal"),
    ("/opportunities/{deal}", "Exit criteria"),
    ("/opportunities/{deal}/edit", "Edit deal"),
    ("/board", "Pipeline board"),
    ("/funnel", "Funnel"),
    ("/funnel?split_by=source", "By source"),
    ("/funnel?split_by=owner", "By owner"),
]


@pytest.mark.parametrize(("path", "expected"), PAGES)
def test_page_renders(signed_in, records, path, expected):
    browser = signed_in(user=records["owner"])
    url = path.format(
        lead=records["lead"].id, account=records["account"].id, deal=records["deal"].id
    )
    response = browser.get(url)
    assert response.status_code == 200, response.text
    assert expected in response.text
    assert 'name="csrf-token"' in response.text


@pytest.mark.parametrize(
    "path", ["/", "/tasks", "/leads", "/accounts", "/opportunities", "/board", "/funnel"]
)
def test_empty_pages_render(signed_in, path):
    browser = signed_in(Role.VIEWER)
    response = browser.get(path)
    assert response.status_code == 200
    assert "Sign out" in response.text


def test_home_shows_my_deals_and_waiting_leads(signed_in, records):
    browser = signed_in(user=records["owner"])
    page = browser.get("/").text
    assert "Globex platform" in page
    assert records["lead"].full_name in page


def test_htmx_filters_get_only_the_results(signed_in, records):
    browser = signed_in(user=records["owner"])
    fragment = browser.htmx("GET", "/leads", "results", {"q": "ada"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert records["lead"].full_name in fragment.text
    board = browser.htmx("GET", "/board", "board", {"owner_id": str(records["owner"].id)})
    assert board.status_code == 200
    assert 'id="board"' in board.text
    assert "<html" not in board.text
    assert "Globex platform" in board.text


def test_a_bad_filter_is_explained_not_a_crash(signed_in):
    browser = signed_in(Role.AE)
    response = browser.get("/leads?created_from=yesterday&owner_id=abc")
    assert response.status_code == 200
    assert "created from: &#39;yesterday&#39; is not a date" in response.text
    assert "owner id: &#39;abc&#39; is not a number" in response.text
    backwards = browser.get("/funnel?start=2026-05-01&end=2026-01-01")
    assert backwards.status_code == 200
    assert "the period ends before it starts" in backwards.text


def _queries_for(browser, count_queries, url):
    with count_queries() as statements:
        response = browser.get(url)
    assert response.status_code == 200
    return len(statements)


def test_list_pages_do_not_query_per_row(signed_in, session, count_queries):
    browser = signed_in(Role.AE)
    account = factories.account(session, actor=browser.user)
    for _ in range(2):
        factories.contact(session, actor=browser.user, account_id=account.id)
        factories.opportunity(session, actor=browser.user, account_id=account.id)
    session.commit()
    few = {
        url: _queries_for(browser, count_queries, url)
        for url in ("/leads", "/opportunities", "/board", "/accounts")
    }
    for _ in range(12):
        factories.contact(session, actor=browser.user, account_id=account.id)
        factories.opportunity(session, actor=browser.user)
    session.commit()
    for url, before in few.items():
        assert _queries_for(browser, count_queries, url) == before, url


def test_absurd_ids_are_not_found_not_a_crash(signed_in, session):
    browser = signed_in(Role.AE)
    assert browser.get("/leads/99999999999999999999").status_code == 404
    assert browser.get("/opportunities/4000000000/edit").status_code == 404
    assert browser.get("/leads?owner_id=99999999999999999999").status_code == 200
    response = browser.post(
        "/leads", {"first_name": "Ada", "last_name": "Big", "account_id": "99999999999999999999"}
    )
    assert response.status_code == 422
    assert "there is no record with id 99999999999999999999" in response.text
