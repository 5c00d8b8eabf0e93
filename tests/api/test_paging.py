"""Lists page by number or by cursor (keyset), count up to a cap, and refuse a foreign cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from techwin.auth.enums import Role
from techwin.core.pagination import PageRequest
from techwin.db.keyset import decode_cursor, encode_cursor, paged
from techwin.errors import InvalidInput
from techwin.pipeline.contacts import CONTACT_SORTS
from techwin.pipeline.models import Contact
from tests import factories


@pytest.fixture
def eleven(session):
    ae = factories.user(session, role=Role.AE, password=None)
    made = [factories.contact(session, actor=ae, last_name=f"Name{i % 4}") for i in range(11)]
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for i, c in enumerate(made):  # some share a creation time: the id breaks the tie
        session.execute(
            update(Contact).where(Contact.id == c.id).values(created_at=base + timedelta(i // 3))
        )
    session.commit()
    return ae


def _walk(client, sort):
    seen, cursor = [], None
    for _ in range(10):
        params = {"size": 3, "sort": sort, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/contacts", params=params).json()
        seen += [c["id"] for c in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("the cursor never ran out")


@pytest.mark.parametrize("sort", ["-created", "created", "name", "stage", "-stage_entered"])
def test_cursor_pages_give_the_same_rows_as_page_numbers(api_as, eleven, sort):
    client = api_as(Role.AE, user=eleven)
    by_number = []
    for page in range(1, 5):
        body = client.get("/api/v1/contacts", params={"size": 3, "sort": sort, "page": page})
        by_number += [c["id"] for c in body.json()["items"]]
    assert len(by_number) == 11
    assert _walk(client, sort) == by_number


def test_count_is_capped_and_says_so(session, eleven):
    order = CONTACT_SORTS["-created"]
    page = paged(session, select(Contact), order, PageRequest(size=4), count_cap=5)
    assert (page.total, page.total_exact, len(page.items)) == (5, False, 4)
    assert page.next_cursor is not None
    exact = paged(session, select(Contact), order, PageRequest(size=4), count_cap=50)
    assert (exact.total, exact.total_exact) == (11, True)


def test_a_cursor_that_is_not_ours_is_a_clear_422(api_as, eleven):
    client = api_as(Role.AE, user=eleven)
    for bad in ("not-a-cursor", encode_cursor(["x"])):
        r = client.get("/api/v1/contacts", params={"cursor": bad})
        assert r.status_code == 422, r.text
        assert r.json()["field"] == "cursor"
    with pytest.raises(InvalidInput):
        decode_cursor(encode_cursor([{"t": "yesterday"}, 3]), CONTACT_SORTS["-created"])


def test_a_nullable_sort_pages_by_number_only(api_as, session, eleven):
    client = api_as(Role.AE, user=eleven)
    body = client.get("/api/v1/opportunities", params={"sort": "close"}).json()
    assert body["next_cursor"] is None  # close dates may be empty: no seeking on them
    cursor = encode_cursor(["2026-01-01", 1])
    r = client.get("/api/v1/opportunities", params={"sort": "close", "cursor": cursor})
    assert r.status_code == 422
    assert "pages by number" in r.json()["detail"]


def test_a_date_in_the_sort_pages_by_cursor(api_as, session):
    """SE requests sort by their needed-by date (a date, not a timestamp): the cursor carries it
    and hands back exactly the rows the page numbers give."""
    from techwin.core.time import utcnow

    ae = factories.user(session, role=Role.AE, password=None)
    deal = factories.opportunity(session, actor=ae)
    for days in (9, 3, 3, 12, 5, 3, 20):  # shared dates: the id breaks the tie
        factories.se_request(
            session,
            actor=ae,
            deal=deal,
            kind="discovery_call",
            needed_by=utcnow().date() + timedelta(days=days),
        )
    session.commit()
    client = api_as(Role.AE, user=ae)
    by_number = []
    for page in (1, 2, 3):
        body = client.get("/api/v1/se-requests", params={"size": 3, "page": page}).json()
        by_number += [r["id"] for r in body["items"]]
    assert len(by_number) == 7
    walked, cursor = [], None
    for _ in range(5):
        params = {"size": 3, **({"cursor": cursor} if cursor else {})}
        response = client.get("/api/v1/se-requests", params=params)
        assert response.status_code == 200, response.text
        walked += [r["id"] for r in response.json()["items"]]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    assert walked == by_number
