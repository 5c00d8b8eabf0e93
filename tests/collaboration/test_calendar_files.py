"""Calendar files of many calls: ``GET /api/v1/meetings.ics`` with the meeting list's filters,
``GET /meetings.ics`` for a deal's calls and for the signed-in person's upcoming calls, the links
to them on the deal page and on My day, and bad filters refused naming the field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from techwin.auth import service as auth_service
from techwin.collaboration import meetings
from techwin.collaboration.schemas import HeldIn
from techwin.core.time import utcnow
from tests import factories


def parse_calendar(text):
    """The VEVENTs of an iCalendar file as {property: value} dicts; fails unless the file is a
    well-formed VCALENDAR (CRLF lines, balanced BEGIN/END, every line a NAME:VALUE pair)."""
    assert text.endswith("\r\n")
    lines = text.replace("\r\n ", "").removesuffix("\r\n").split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    open_blocks, events, current = [], [], None
    for line in lines:
        name, sep, value = line.partition(":")
        assert sep, f"not a content line: {line!r}"
        name = name.split(";")[0]
        if name == "BEGIN":
            open_blocks.append(value)
            if value == "VEVENT":
                current = {}
        elif name == "END":
            assert open_blocks.pop() == value
            if value == "VEVENT":
                events.append(current)
                current = None
        elif current is not None:
            current[name] = value
    assert not open_blocks
    return events


def uids(response):
    """The meeting ids in a calendar response."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    events = parse_calendar(response.text)
    found = [int(e["UID"].removeprefix("meeting-").removesuffix("@techwin")) for e in events]
    assert len(found) == len(set(found)), "one VEVENT per call"
    return set(found)


@pytest.fixture
def calls(session, org):
    """Calls on two deals.

    Initech platform (Alex's): ``coming`` (Priya attends, in two days), ``held`` (yesterday) and
    ``cancelled`` (in three days). Globex analytics (Jordan's): ``other`` (Lukas attends, in
    four days).
    """
    coming = factories.meeting(
        session, actor=org.ae, deal=org.deal, hours_from_now=48, attendee_ids=[org.se.id]
    )
    held = factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=-30)
    meetings.hold_meeting(session, actor=org.ae, meeting=held, data=HeldIn())
    cancelled = factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=72)
    meetings.cancel_meeting(session, actor=org.ae, meeting=cancelled)
    globex = factories.opportunity(session, actor=org.other_ae, name="Globex analytics")
    other = factories.meeting(
        session, actor=org.other_ae, deal=globex, hours_from_now=96, attendee_ids=[org.other_se.id]
    )
    session.commit()
    return {
        "coming": coming.id,
        "held": held.id,
        "cancelled": cancelled.id,
        "other": other.id,
        "globex": globex.id,
    }


# ---------- The API ----------


def test_the_api_file_has_one_event_per_call_of_the_deal(api_as, org, calls):
    response = api_as(user=org.ae).get(
        "/api/v1/meetings.ics", params={"opportunity_id": org.deal.id}
    )
    assert uids(response) == {calls["coming"], calls["held"], calls["cancelled"]}
    assert response.headers["content-disposition"] == (
        f'attachment; filename="meetings-opportunity-{org.deal.id}.ics"'
    )
    events = {e["UID"]: e for e in parse_calendar(response.text)}
    assert events[f"meeting-{calls['cancelled']}@techwin"]["STATUS"] == "CANCELLED"
    assert events[f"meeting-{calls['coming']}@techwin"]["STATUS"] == "CONFIRMED"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"coming", "held", "cancelled", "other"}),
        ({"user_id": "se"}, {"coming"}),
        ({"user_id": "other_se"}, {"other"}),
        ({"status": "planned"}, {"coming", "other"}),
        ({"status": ["held", "cancelled"]}, {"held", "cancelled"}),
        ({"start": "now"}, {"coming", "cancelled", "other"}),
        ({"start": "now", "end": "in 3 days"}, {"coming"}),
        ({"opportunity_id": "globex", "status": "planned"}, {"other"}),
    ],
)
def test_the_api_file_holds_exactly_what_the_list_lists(api_as, org, calls, params, expected):
    now = utcnow()
    values = {
        "se": org.se.id,
        "other_se": org.other_se.id,
        "globex": calls["globex"],
        "now": now.isoformat(),
        "in 3 days": (now + timedelta(days=3, hours=-1)).isoformat(),
    }
    query = {k: values.get(v, v) if isinstance(v, str) else v for k, v in params.items()}
    client = api_as(user=org.manager)
    listed = client.get("/api/v1/meetings", params=query)
    assert listed.status_code == 200, listed.text
    in_file = uids(client.get("/api/v1/meetings.ics", params=query))
    assert in_file == {m["id"] for m in listed.json()}
    assert in_file == {calls[name] for name in expected}


def test_the_limit_keeps_the_first_calls_by_start(api_as, org, calls):
    response = api_as(user=org.ae).get("/api/v1/meetings.ics", params={"limit": 2})
    assert uids(response) == {calls["held"], calls["coming"]}
    assert 'filename="meetings.ics"' in response.headers["content-disposition"]


def test_the_file_of_many_calls_and_the_file_of_one_call_do_not_collide(api_as, org, calls):
    client = api_as(user=org.ae)
    assert len(uids(client.get("/api/v1/meetings.ics"))) == 4
    assert uids(client.get(f"/api/v1/meetings/{calls['held']}.ics")) == {calls["held"]}
    assert client.get(f"/api/v1/meetings/{calls['held']}").json()["status"] == "held"


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"status": "postponed"}, 422, "status.0"),
        ({"status": ["planned", "later"]}, 422, "status.1"),
        ({"opportunity_id": "initech"}, 422, "opportunity_id"),
        ({"opportunity_id": 0}, 422, "opportunity_id"),
        ({"user_id": "me"}, 422, "user_id"),
        ({"start": "tomorrow"}, 422, "start"),
        ({"end": "2026-13-01"}, 422, "end"),
        ({"limit": 0}, 422, "limit"),
        ({"opportunity_id": 999_999}, 404, "opportunity_id"),
        ({"user_id": 999_999}, 404, "user_id"),
    ],
)
def test_bad_api_filters_are_json_naming_the_field(api_as, org, calls, params, status, field):
    response = api_as(user=org.ae).get("/api/v1/meetings.ics", params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["field"] == field
    assert response.json()["error"] in ("ValidationError", "NotFound")


def test_without_a_valid_token_no_call_is_given(app, client, session, org, calls):
    anonymous = client.get("/api/v1/meetings.ics", params={"opportunity_id": org.deal.id})
    assert anonymous.status_code == 401
    assert "BEGIN:VCALENDAR" not in anonymous.text
    secret, token = auth_service.create_api_token(session, actor=None, user=org.ae, name="old")
    auth_service.revoke_api_token(session, actor=org.ae, token_id=token.id)
    session.commit()
    with TestClient(app, headers={"Authorization": f"Bearer {secret}"}) as revoked:
        refused = revoked.get("/api/v1/meetings.ics", params={"opportunity_id": org.deal.id})
    assert refused.status_code == 401
    assert refused.json()["error"] == "NotAuthenticated"


# ---------- The web UI ----------


@pytest.fixture
def people(session, org):
    """The org's people with passwords, so they can sign in."""
    for user in (org.ae, org.se, org.other_se):
        auth_service.set_password(session, actor=None, user=user, password=factories.PASSWORD)
    session.commit()
    return org


def test_the_deal_page_links_the_file_of_the_deals_calls(signed_in, people, calls):
    browser = signed_in(user=people.other_se)
    page = browser.get(f"/opportunities/{people.deal.id}")
    assert page.status_code == 200
    link = f'href="/meetings.ics?deal={people.deal.id}"'
    assert link in page.text
    assert "Add to calendar (.ics)" in page.text
    response = browser.get(f"/meetings.ics?deal={people.deal.id}")
    assert uids(response) == {calls["coming"], calls["held"], calls["cancelled"]}
    assert response.headers["content-disposition"] == (
        f'attachment; filename="calls-deal-{people.deal.id}.ics"'
    )


def test_a_deal_without_calls_offers_no_file(signed_in, people, session):
    empty = factories.opportunity(session, actor=people.ae, name="Quiet deal")
    session.commit()
    page = signed_in(user=people.ae).get(f"/opportunities/{empty.id}")
    assert page.status_code == 200
    assert "/meetings.ics?deal=" not in page.text


@pytest.mark.parametrize(("person", "expected"), [("se", "coming"), ("other_se", "other")])
def test_my_day_links_the_file_of_my_upcoming_calls(signed_in, people, calls, person, expected):
    browser = signed_in(user=getattr(people, person))
    page = browser.get("/my-day")
    assert page.status_code == 200
    assert 'href="/meetings.ics?mine=1&amp;upcoming=1"' in page.text
    response = browser.get("/meetings.ics?mine=1&upcoming=1")
    # Each SE attends one planned call; the held and the cancelled calls, and the other SE's
    # call, are left out.
    assert uids(response) == {calls[expected]}
    assert 'filename="calls-mine-upcoming.ics"' in response.headers["content-disposition"]


def test_my_day_without_upcoming_calls_offers_no_file(signed_in, people):
    page = signed_in(user=people.se).get("/my-day")
    assert page.status_code == 200
    assert "/meetings.ics" not in page.text


def test_web_filters_combine(signed_in, people, calls):
    browser = signed_in(user=people.ae)
    everything = uids(browser.get("/meetings.ics"))
    assert everything == {calls["coming"], calls["held"], calls["cancelled"], calls["other"]}
    assert uids(browser.get(f"/meetings.ics?deal={people.deal.id}&upcoming=yes")) == {
        calls["coming"]
    }
    # Alex owns every call on his deal, none on Jordan's.
    assert uids(browser.get("/meetings.ics?mine=true")) == {
        calls["coming"],
        calls["held"],
        calls["cancelled"],
    }
    assert uids(browser.get(f"/meetings.ics?deal={calls['globex']}&mine=1")) == set()


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("deal=initech", 422, "deal"),
        ("deal=0", 422, "deal"),
        ("deal=999999", 404, "deal"),
        ("mine=maybe", 422, "mine"),
        ("mine=1&upcoming=soon", 422, "upcoming"),
    ],
)
def test_bad_web_filters_are_refused_naming_the_field(signed_in, people, query, status, field):
    browser = signed_in(user=people.ae)
    as_json = browser.get(f"/meetings.ics?{query}", headers={"Accept": "application/json"})
    assert as_json.status_code == status
    assert as_json.json()["field"] == field
    as_page = browser.get(f"/meetings.ics?{query}")
    assert as_page.status_code == status
    assert as_page.headers["content-type"].startswith("text/html")
    assert "BEGIN:VCALENDAR" not in as_page.text


def test_signed_out_the_file_sends_to_the_sign_in_page(browser, org, calls):
    response = browser.get(f"/meetings.ics?deal={org.deal.id}")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    assert "BEGIN:VCALENDAR" not in response.text
