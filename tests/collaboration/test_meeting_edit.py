"""Changing a call: the edit form through the real app (each bad field shown beside its input,
nothing stored, the deal's people only, a debriefed call stays in the past) and
``PATCH /api/v1/meetings/{id}`` (4xx JSON naming the field)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from techwin.auth.enums import Role
from techwin.auth.models import AuditEvent
from techwin.collaboration import debriefs, meetings
from techwin.collaboration.models import Meeting
from techwin.collaboration.schemas import DebriefIn, HeldIn, MeetingPatch
from techwin.core.time import as_utc, utcnow
from techwin.errors import InvalidState
from tests import factories


@pytest.fixture
def people(session, org):
    """The org's people with passwords, so they can sign in."""
    from techwin.auth import service as auth_service

    for user in (org.manager, org.ae, org.other_ae, org.se, org.other_se):
        auth_service.set_password(session, actor=None, user=user, password=factories.PASSWORD)
    session.commit()
    return org


@pytest.fixture
def call(session, org):
    """A custom demo on Alex's deal in two days, with Alex on it."""
    meeting = factories.meeting(
        session, actor=org.ae, deal=org.deal, hours_from_now=48, title="Custom demo for Initech"
    )
    session.commit()
    return meeting


def _debriefed(session, org):
    """A call that took place two hours ago and was debriefed."""
    meeting = factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=-3)
    debriefs.save_debrief(
        session, actor=org.ae, meeting=meeting, data=DebriefIn(pain_uncovered="yes")
    )
    session.commit()
    return meetings.get_meeting(session, meeting.id)


def _stored(session, meeting_id):
    session.expire_all()
    return meetings.get_meeting(session, meeting_id)


def _form(meeting, **changes):
    """What the edit form posts for ``meeting``, with some inputs changed."""
    data = {
        "title": meeting.title,
        "kind": meeting.kind.value,
        "starts_at": as_utc(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": str(meeting.duration_minutes),
        "location": meeting.location or "",
        "agenda": meeting.agenda or "",
        "attendee_ids": [str(u.id) for u in meeting.attendees],
        "contact_ids": [str(c.id) for c in meeting.contacts],
        "version": str(meeting.version),
    }
    if meeting.is_major:
        data["is_major"] = "true"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# ---------- The web form ----------


def test_the_form_shows_the_call_and_saving_changes_it_with_an_audit_entry(
    signed_in, people, session, call
):
    peggy = factories.contact(session, account_id=people.deal.account_id, first_name="Peggy")
    session.commit()
    version = call.version
    ae = signed_in(user=people.ae)
    page = ae.get(f"/meetings/{call.id}")
    assert f'href="/meetings/{call.id}/edit"' in page.text
    form = ae.get(f"/meetings/{call.id}/edit")
    assert form.status_code == 200
    assert "Edit the call" in form.text
    assert 'value="Custom demo for Initech"' in form.text
    assert f'name="version" value="{call.version}"' in form.text
    assert 'value="custom_demo" selected' in form.text
    starts = (utcnow() + timedelta(days=6)).replace(hour=14, minute=30, second=0, microsecond=0)
    saved = ae.post(
        f"/meetings/{call.id}/edit",
        _form(
            call,
            title="Custom demo: SSO and audit trail",
            kind="technical_deep_dive",
            starts_at=starts.strftime("%Y-%m-%dT%H:%M"),
            duration_minutes="90",
            location="https://meet.example/initech",
            agenda="SSO first, then the audit trail",
            attendee_ids=[str(people.ae.id), str(people.se.id)],
            contact_ids=[str(peggy.id)],
        ),
    )
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/meetings/{call.id}"
    stored = _stored(session, call.id)
    assert stored.title == "Custom demo: SSO and audit trail"
    assert stored.kind.value == "technical_deep_dive"
    assert as_utc(stored.starts_at) == starts
    assert stored.duration_minutes == 90
    assert stored.location == "https://meet.example/initech"
    assert stored.agenda == "SSO first, then the audit trail"
    assert {u.id for u in stored.attendees} == {people.ae.id, people.se.id}
    assert [c.id for c in stored.contacts] == [peggy.id]
    assert stored.version == version + 1
    entry = session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "meeting", AuditEvent.entity_id == call.id
        )
    )
    assert entry is not None
    assert entry.action == "meeting.update"
    assert "title" in entry.summary
    assert "starts_at" in entry.summary
    page = ae.get(f"/meetings/{call.id}")
    assert "Custom demo: SSO and audit trail" in page.text
    assert "90 min" in page.text


def test_unticking_major_and_clearing_the_place_are_saved(signed_in, people, session, call):
    ae = signed_in(user=people.ae)
    data = _form(call, location="", is_major=None)
    assert ae.post(f"/meetings/{call.id}/edit", data).status_code == 303
    stored = _stored(session, call.id)
    assert stored.is_major is False
    assert stored.location is None


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("title", "", "this field is required"),
        ("title", "x" * 201, "at most 200 characters"),
        ("kind", "tea_party", "Input should be"),
        ("starts_at", "", "this field is required"),
        ("starts_at", "next tuesday", "must be a date and time"),
        ("duration_minutes", "2", "must be 5 or more"),
        ("duration_minutes", "601", "must be 600 or less"),
        ("duration_minutes", "an hour", "must be a number"),
        ("location", "y" * 301, "at most 300 characters"),
        ("agenda", "z" * 4001, "at most 4000 characters"),
        ("attendee_ids", ["999999"], "does not exist or is inactive"),
        ("attendee_ids", ["99999999999999"], "there is no record with id"),
        ("contact_ids", ["999999"], "contact 999999 does not exist"),
    ],
)
def test_each_bad_field_is_shown_beside_its_input_and_nothing_is_stored(
    signed_in, people, session, call, name, value, reason
):
    before = meetings.meeting_out(_stored(session, call.id))
    ae = signed_in(user=people.ae)
    response = ae.post(f"/meetings/{call.id}/edit", _form(call, **{name: value}))
    assert response.status_code == 422, response.text
    assert f'id="f-{name}-error"' in response.text
    error = response.text.split(f'id="f-{name}-error">', 1)[1].split("</p>", 1)[0]
    assert reason in error.replace("&#39;", "'")
    # What was typed stays in the form.
    if isinstance(value, str) and value and name not in ("kind",):
        assert value[:50] in response.text
    assert meetings.meeting_out(_stored(session, call.id)) == before


def test_a_contact_of_another_account_is_refused_beside_their_side(
    signed_in, people, session, call
):
    elsewhere = factories.account(session, name="Globex")
    stranger = factories.contact(session, account_id=elsewhere.id, first_name="Hank")
    session.commit()
    ae = signed_in(user=people.ae)
    response = ae.post(f"/meetings/{call.id}/edit", _form(call, contact_ids=[str(stranger.id)]))
    assert response.status_code == 422
    assert 'id="f-contact_ids-error"' in response.text
    assert "works at another account" in response.text
    assert _stored(session, call.id).contacts == []


def test_people_outside_the_deal_cannot_edit_its_calls(signed_in, people, session, call, browser):
    before = meetings.meeting_out(_stored(session, call.id))
    for person in (people.other_ae, people.other_se):
        browser.client.cookies.clear()
        other = signed_in(user=person)
        page = other.get(f"/meetings/{call.id}")
        assert page.status_code == 200
        assert f'href="/meetings/{call.id}/edit"' not in page.text
        assert other.get(f"/meetings/{call.id}/edit").status_code == 403
        refused = other.post(f"/meetings/{call.id}/edit", _form(call, title="Hijacked"))
        assert refused.status_code == 403
        assert "only the owner, a manager or an admin" in refused.text
    browser.client.cookies.clear()
    viewer = signed_in(Role.VIEWER)
    assert viewer.post(f"/meetings/{call.id}/edit", _form(call, title="x")).status_code == 403
    assert meetings.meeting_out(_stored(session, call.id)) == before
    # The deal's manager may.
    browser.client.cookies.clear()
    manager = signed_in(user=people.manager)
    assert manager.get(f"/meetings/{call.id}/edit").status_code == 200
    done = manager.post(f"/meetings/{call.id}/edit", _form(call, title="Moved by Maya"))
    assert done.status_code == 303
    assert _stored(session, call.id).title == "Moved by Maya"


def test_a_debriefed_call_cannot_move_into_the_future_but_may_move_in_the_past(
    signed_in, people, session
):
    meeting = _debriefed(session, people)
    before = meetings.meeting_out(meeting)
    ae = signed_in(user=people.ae)
    form = ae.get(f"/meetings/{meeting.id}/edit")
    assert "It was debriefed already, so it stays in the past." in form.text
    future = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    refused = ae.post(f"/meetings/{meeting.id}/edit", _form(meeting, starts_at=future))
    assert refused.status_code == 409
    assert 'id="f-starts_at-error"' in refused.text
    assert "debriefed already, so it cannot be moved into the future" in refused.text
    assert future in refused.text  # what was typed stays
    assert meetings.meeting_out(_stored(session, meeting.id)) == before
    earlier = (as_utc(meeting.starts_at) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    moved = ae.post(f"/meetings/{meeting.id}/edit", _form(meeting, starts_at=earlier))
    assert moved.status_code == 303, moved.text
    assert as_utc(_stored(session, meeting.id).starts_at).strftime("%Y-%m-%dT%H:%M") == earlier


def test_a_stale_form_shows_the_stored_values_and_keeps_the_typed_ones(
    signed_in, people, session, call
):
    meetings.update_meeting(
        session,
        actor=people.manager,
        meeting=call,
        data=MeetingPatch(title="Renamed by Maya"),
    )
    session.commit()
    ae = signed_in(user=people.ae)
    stale = ae.post(f"/meetings/{call.id}/edit", _form(call, title="Alex's title", version="1"))
    assert stale.status_code == 409
    assert "was changed by someone else" in stale.text
    assert "Renamed by Maya" in stale.text
    assert "Alex&#39;s title" in stale.text
    assert _stored(session, call.id).title == "Renamed by Maya"


def test_a_cancelled_call_is_not_edited(signed_in, people, session, call):
    meetings.cancel_meeting(session, actor=people.ae, meeting=call)
    session.commit()
    ae = signed_in(user=people.ae)
    page = ae.get(f"/meetings/{call.id}")
    assert f'href="/meetings/{call.id}/edit"' not in page.text
    assert ae.get(f"/meetings/{call.id}/edit").status_code == 409
    assert ae.post(f"/meetings/{call.id}/edit", _form(call, title="Back")).status_code == 409


def test_the_deal_page_links_each_call_to_its_edit_form(signed_in, people, session, call):
    ae = signed_in(user=people.ae)
    assert f'href="/meetings/{call.id}/edit"' in ae.get(f"/opportunities/{people.deal.id}").text


# ---------- The service ----------


def test_a_held_call_stays_in_the_past(session, org):
    meeting = factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=-1)
    meetings.hold_meeting(session, actor=org.ae, meeting=meeting, data=HeldIn())
    with pytest.raises(InvalidState) as caught:
        meetings.update_meeting(
            session,
            actor=org.ae,
            meeting=meeting,
            data=MeetingPatch(starts_at=utcnow() + timedelta(hours=5)),
        )
    assert caught.value.field == "starts_at"
    assert "took place already" in caught.value.message


# ---------- PATCH /api/v1/meetings/{id} ----------


@pytest.fixture
def as_role(api_as, org):
    """API clients for the org's people."""
    return lambda name: api_as(user=getattr(org, name))


def test_patch_changes_a_call_and_bumps_its_version(as_role, org, call):
    ae = as_role("ae")
    version = call.version
    starts = (utcnow() + timedelta(days=4)).replace(microsecond=0)
    response = ae.patch(
        f"/api/v1/meetings/{call.id}",
        json={
            "title": "Deep dive",
            "starts_at": starts.isoformat(),
            "duration_minutes": 45,
            "attendee_ids": [org.ae.id, org.se.id],
            "version": version,
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "Deep dive"
    assert body["duration_minutes"] == 45
    assert body["attendee_ids"] == sorted([org.ae.id, org.se.id])
    assert body["version"] == version + 1
    assert body["kind"] == "custom_demo"  # not sent: unchanged


@pytest.mark.parametrize(
    ("body", "status", "error", "field"),
    [
        ({"title": ""}, 422, "InvalidInput", "title"),
        ({"title": "t" * 201}, 422, "ValidationError", "title"),
        ({"duration_minutes": 1}, 422, "ValidationError", "duration_minutes"),
        ({"kind": "tea_party"}, 422, "ValidationError", "kind"),
        ({"starts_at": "soon"}, 422, "ValidationError", "starts_at"),
        ({"starts_at": None}, 422, "InvalidInput", "starts_at"),
        ({"attendee_ids": [999999]}, 422, "InvalidInput", "attendee_ids"),
        ({"contact_ids": [999999]}, 422, "InvalidInput", "contact_ids"),
        ({"colour": "blue"}, 422, "ValidationError", "colour"),
        ({"title": "Late", "version": 0}, 409, "Conflict", "version"),
    ],
)
def test_patch_refuses_bad_input_naming_the_field(
    as_role, session, call, body, status, error, field
):
    before = meetings.meeting_out(_stored(session, call.id))
    response = as_role("ae").patch(f"/api/v1/meetings/{call.id}", json=body)
    assert response.status_code == status, response.text
    payload = response.json()
    assert payload["error"] == error
    assert payload["field"] == field
    assert payload["detail"]
    assert meetings.meeting_out(_stored(session, call.id)) == before


def test_patch_by_someone_outside_the_deal_is_refused(as_role, session, call):
    response = as_role("other_ae").patch(f"/api/v1/meetings/{call.id}", json={"title": "Mine"})
    assert response.status_code == 403
    assert response.json()["error"] == "PermissionDenied"
    assert _stored(session, call.id).title == "Custom demo for Initech"


def test_patch_cannot_move_a_debriefed_call_into_the_future(as_role, session, org):
    meeting = _debriefed(session, org)
    future = (utcnow() + timedelta(days=1)).isoformat()
    response = as_role("ae").patch(f"/api/v1/meetings/{meeting.id}", json={"starts_at": future})
    assert response.status_code == 409
    assert response.json() == {
        "error": "InvalidState",
        "detail": "the call was debriefed already, so it cannot be moved into the future",
        "field": "starts_at",
    }
    assert _stored(session, meeting.id).starts_at == meeting.starts_at
    assert session.scalar(select(Meeting.version).where(Meeting.id == meeting.id)) == (
        meeting.version
    )
