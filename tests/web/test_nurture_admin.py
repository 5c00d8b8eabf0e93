"""Editing nurturing in the admin area: tiers saved all at once with each error beside its row,
sequences created and edited step by step (reordered, previewed), switched off and deleted;
every change audited; nobody but an admin gets in, and no form works without its CSRF token."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from techwin.auth.enums import Role
from techwin.auth.models import AuditEvent
from techwin.core.time import utcnow
from techwin.scoring.nurture import configuration as nurture_setup
from techwin.scoring.nurture import service as nurture
from techwin.scoring.nurture.enums import EnrollmentStatus
from techwin.scoring.nurture.models import Sequence
from tests import factories

TIERS = {
    "rows": "3",
    "tiers-0-key": "hot",
    "tiers-0-name": "Hot",
    "tiers-0-min_score": "70",
    "tiers-0-action": "owner_task",
    "tiers-0-due_business_days": "1",
    "tiers-1-key": "warm",
    "tiers-1-name": "Warm",
    "tiers-1-min_score": "40",
    "tiers-1-action": "sequence",
    "tiers-1-sequence": "warm_welcome",
    "tiers-1-due_business_days": "1",
    "tiers-2-key": "cold",
    "tiers-2-name": "Cold",
    "tiers-2-min_score": "0",
    "tiers-2-action": "newsletter",
    "tiers-2-due_business_days": "1",
}


def _audits(session, action):
    return session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


def _tiers(session):
    session.expire_all()
    return [
        (t.key, t.name, t.min_score, t.action.value, seq, t.due_business_days)
        for t, seq in nurture_setup.list_tiers(session)
    ]


def _error(html, name):
    match = re.search(rf'id="f-{re.escape(name)}-error">(.*?)</p>', html, re.S)
    assert match, f"no error beside {name}"
    return match.group(1)


def _steps(session, key):
    session.expire_all()
    return [
        (s.kind.value, s.wait_days, s.title) for s in nurture_setup.get_sequence(session, key).steps
    ]


def _sequence_form(session, key):
    """The edit form's values for a stored sequence, as the page posts them."""
    sequence = nurture_setup.get_sequence(session, key)
    data = {"name": sequence.name, "description": sequence.description}
    for i, step in enumerate(sequence.steps):
        data.update(
            {
                f"steps-{i}-kind": step.kind.value,
                f"steps-{i}-wait_days": str(step.wait_days),
                f"steps-{i}-title": step.title,
                f"steps-{i}-template": step.template,
            }
        )
    data["rows"] = str(len(sequence.steps))
    return data


def test_the_page_offers_editing_to_admins(signed_in):
    browser = signed_in(Role.ADMIN)
    page = browser.get("/admin/nurture").text
    assert 'href="/admin/nurture/tiers/edit"' in page
    assert 'href="/admin/nurture/sequences/warm_welcome/edit"' in page
    assert 'href="/admin/nurture/sequences/new"' in page
    assert "keep their place by step number" in page
    assert "/admin/nurture/sequences/warm_welcome/delete" not in page  # the warm tier uses it
    form = browser.get("/admin/nurture/tiers/edit").text
    assert 'name="tiers-1-min_score" type="number" value="40"' in form
    assert '<option value="warm_welcome" selected>' in form


def test_admin_edits_the_tiers_which_are_stored_and_audited(signed_in, session):
    browser = signed_in(Role.ADMIN)
    before = _audits(session, "nurture.tiers")
    more = browser.post("/admin/nurture/tiers", {**TIERS, "action": "add_row"})
    assert more.status_code == 200
    assert 'name="tiers-3-key"' in more.text
    saved = browser.post(
        "/admin/nurture/tiers",
        {
            **TIERS,
            "rows": "4",
            "tiers-0-due_business_days": "2",
            "tiers-1-min_score": "45.5",
            "tiers-2-key": "lukewarm",
            "tiers-2-name": "Lukewarm",
            "tiers-2-min_score": "20",
            "tiers-2-sequence": "warm_welcome",  # left over from another action: ignored
            "tiers-3-key": "cold",
            "tiers-3-name": "Cold",
            "tiers-3-min_score": "0",
            "tiers-3-action": "newsletter",
        },
    )
    assert saved.status_code == 303, saved.text
    assert _tiers(session) == [
        ("hot", "Hot", 70, "owner_task", None, 2),
        ("warm", "Warm", 45.5, "sequence", "warm_welcome", 1),
        ("lukewarm", "Lukewarm", 20, "newsletter", None, 1),
        ("cold", "Cold", 0, "newsletter", None, 1),
    ]
    assert _audits(session, "nurture.tiers") == before + 1
    event = session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "nurture.tiers")
        .order_by(AuditEvent.id.desc())
    )
    assert event.actor_id == browser.user.id
    assert [t["min_score"] for t in event.before["tiers"]] == [70, 40, 0]
    assert [t["min_score"] for t in event.after["tiers"]] == [70, 45.5, 20, 0]
    page = browser.get("/admin/nurture").text
    assert "Tiers saved (Hot ≥ 70, Warm ≥ 45.5, Lukewarm ≥ 20, Cold ≥ 0)" in page
    assert page.count('class="tier-card') == 4
    # Removing a tier is a ticked box; the rest are saved as shown.
    removed = browser.post("/admin/nurture/tiers", {**TIERS, "tiers-2-remove": "true"})
    assert removed.status_code == 303
    assert [t[0] for t in _tiers(session)] == ["hot", "warm"]


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"tiers-1-min_score": "80"}, "tiers-1-min_score", "Warm must start below Hot (70)"),
        ({"tiers-2-min_score": "40"}, "tiers-2-min_score", "each tier needs its own minimum"),
        (
            {"tiers-1-sequence": "nope"},
            "tiers-1-sequence",
            "tier &#39;warm&#39; names unknown sequence &#39;nope&#39;",
        ),
        ({"tiers-1-sequence": ""}, "tiers-1-sequence", "names the sequence"),
        ({"tiers-2-key": "warm"}, "tiers-2-key", "two tiers use the key &#39;warm&#39;"),
        ({"tiers-2-key": "Cold!"}, "tiers-2-key", "Lower case letters, digits and _"),
        ({"tiers-1-name": " "}, "tiers-1-name", "this field is required"),
        ({"tiers-1-min_score": "lots"}, "tiers-1-min_score", "must be a number"),
        ({"tiers-0-due_business_days": "-1"}, "tiers-0-due_business_days", "must be 0 or more"),
        ({"tiers-0-action": ""}, "tiers-0-action", "this field is required"),
    ],
)
def test_bad_tiers_are_explained_beside_their_input_and_nothing_is_stored(
    signed_in, session, change, field, reason
):
    browser = signed_in(Role.ADMIN)
    stored, audits = _tiers(session), _audits(session, "nurture.tiers")
    response = browser.post("/admin/nurture/tiers", {**TIERS, **change})
    assert response.status_code == 422, response.text
    assert reason in _error(response.text, field)
    assert 'class="alert alert-error"' in response.text
    for value in change.values():  # what the admin typed is kept
        if value.strip():
            assert f'value="{value}"' in response.text or f'"{value}" selected' in response.text
    assert _tiers(session) == stored
    assert _audits(session, "nurture.tiers") == audits


def test_admin_edits_a_sequence_reorders_and_adds_a_step(signed_in, session):
    browser = signed_in(Role.ADMIN)
    audits = _audits(session, "nurture.sequence")
    form = browser.get("/admin/nurture/sequences/warm_welcome/edit")
    assert form.status_code == 200
    assert "Hi Jordan," in form.text  # the preview, filled for the example contact
    assert "{{owner_name}}" in form.text  # the template as written
    assert browser.user.full_name in form.text  # the viewer signs the preview
    assert "{{company}}" in form.text  # listed, with its example
    assert "Northwind Traders" in form.text
    data = _sequence_form(session, "warm_welcome")

    added = browser.post(
        "/admin/nurture/sequences/warm_welcome/edit", {**data, "action": "add_step"}
    )
    assert added.status_code == 200
    assert 'name="steps-4-title"' in added.text
    data.update(
        {
            "rows": "5",
            "steps-4-kind": "call",
            "steps-4-wait_days": "3",
            "steps-4-title": "Last call with {{first_name}}",
            "steps-4-template": "",
        }
    )
    moved = browser.post("/admin/nurture/sequences/warm_welcome/edit", {**data, "action": "up-4"})
    assert moved.status_code == 200
    assert re.search(r'name="steps-3-title" type="text" value="Last call with', moved.text)
    assert 'value="up-3" title="Move step 4 up" aria-label="Move step 4 up" autofocus' in moved.text
    data.update(
        {
            "name": "Warm welcome (short)",
            "steps-3-kind": "call",
            "steps-3-wait_days": "3",
            "steps-3-title": "Last call with {{first_name}}",
            "steps-3-template": "",
            "steps-4-kind": "call",
            "steps-4-wait_days": "7",
            "steps-4-title": "Call {{first_name}} {{last_name}} ({{company}})",
            "steps-4-template": "Goal: learn whether the problem matters this year.",
            "steps-1-remove": "true",
        }
    )
    saved = browser.post("/admin/nurture/sequences/warm_welcome/edit", data)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == "/admin/nurture#seq-warm_welcome"
    assert _steps(session, "warm_welcome") == [
        ("email", 0, "Welcome email to {{first_name}}"),
        ("webinar_invite", 7, "Invite {{first_name}} to the next webinar"),
        ("call", 3, "Last call with {{first_name}}"),
        ("call", 7, "Call {{first_name}} {{last_name}} ({{company}})"),
    ]
    assert nurture_setup.get_sequence(session, "warm_welcome").name == "Warm welcome (short)"
    assert _audits(session, "nurture.sequence") == audits + 1
    event = session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "nurture.sequence")
        .order_by(AuditEvent.id.desc())
    )
    assert event.actor_id == browser.user.id
    assert len(event.before["steps"]) == 4
    assert [s["kind"] for s in event.after["steps"]] == ["email", "webinar_invite", "call", "call"]
    page = browser.get("/admin/nurture").text
    assert "Sequence “Warm welcome (short)” saved with 4 steps." in page
    assert "Day 10" in page  # 0 + 7 + 3


def _new_sequence(**changes):
    data = {
        "key": "trial_follow_up",
        "name": "Trial follow-up",
        "description": "For trial sign-ups",
        "rows": "2",
        "steps-0-kind": "email",
        "steps-0-wait_days": "0",
        "steps-0-title": "Welcome {{first_name}} to the trial",
        "steps-0-template": "Hi {{first_name}},\n\nHow is the trial going at {{company}}?",
        "steps-1-kind": "call",
        "steps-1-wait_days": "5",
        "steps-1-title": "Call {{full_name}}",
        "steps-1-template": "",
    }
    data.update(changes)
    return data


def test_admin_creates_a_sequence_that_a_tier_can_then_use(signed_in, session):
    browser = signed_in(Role.ADMIN)
    blank = browser.get("/admin/nurture/sequences/new")
    assert blank.status_code == 200
    assert 'name="steps-0-title"' in blank.text
    created = browser.post("/admin/nurture/sequences", _new_sequence())
    assert created.status_code == 303, created.text
    assert _steps(session, "trial_follow_up") == [
        ("email", 0, "Welcome {{first_name}} to the trial"),
        ("call", 5, "Call {{full_name}}"),
    ]
    audit = session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "nurture.sequence")
        .order_by(AuditEvent.id.desc())
    )
    assert audit.before is None
    assert audit.after["name"] == "Trial follow-up"
    again = browser.post("/admin/nurture/sequences", _new_sequence(name="Another"))
    assert again.status_code == 409
    assert "already exists" in _error(again.text, "key")
    assert nurture_setup.get_sequence(session, "trial_follow_up").name == "Trial follow-up"
    form = browser.get("/admin/nurture/tiers/edit").text
    assert '<option value="trial_follow_up">Trial follow-up</option>' in form
    saved = browser.post("/admin/nurture/tiers", {**TIERS, "tiers-1-sequence": "trial_follow_up"})
    assert saved.status_code == 303
    assert _tiers(session)[1][4] == "trial_follow_up"


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"steps-1-wait_days": "-2"}, "steps-1-wait_days", "must be 0 or more"),
        ({"steps-1-wait_days": "soon"}, "steps-1-wait_days", "must be a number"),
        (
            {"steps-1-title": "", "steps-1-template": "Ring them"},
            "steps-1-title",
            "this field is required",
        ),
        (
            {"steps-0-template": "Dear {{mood}}"},
            "steps-0-template",
            "unknown placeholder {{mood}}; available: first_name",
        ),
        ({"steps-1-title": "Call {{ nickname }}"}, "steps-1-title", "unknown placeholder"),
        ({"name": ""}, "name", "this field is required"),
        ({"key": "Trial Follow"}, "key", "Lower case letters, digits and _"),
        (
            {"steps-0-remove": "true", "steps-1-remove": "true"},
            "steps",
            "a sequence needs at least one step",
        ),
    ],
)
def test_a_bad_sequence_is_explained_beside_its_step_and_not_saved(
    signed_in, session, change, field, reason
):
    browser = signed_in(Role.ADMIN)
    count = session.scalar(select(func.count(Sequence.id)))
    audits = _audits(session, "nurture.sequence")
    response = browser.post("/admin/nurture/sequences", _new_sequence(**change))
    assert response.status_code == 422, response.text
    assert reason in _error(response.text, field)
    assert session.scalar(select(func.count(Sequence.id))) == count
    assert _audits(session, "nurture.sequence") == audits
    if field == "key":
        return  # a stored sequence's key is not an input
    # The same refusal when editing a stored sequence: its steps stay as they were.
    steps = _steps(session, "warm_welcome")
    edited = browser.post("/admin/nurture/sequences/warm_welcome/edit", _new_sequence(**change))
    assert edited.status_code == 422
    assert reason in _error(edited.text, field)
    assert _steps(session, "warm_welcome") == steps


def test_the_form_tells_how_many_contacts_are_in_the_sequence(signed_in, session):
    browser = signed_in(Role.ADMIN)
    lead = factories.contact(session, actor=browser.user)
    nurture.enroll(
        session,
        actor=browser.user,
        contact=lead,
        sequence_key="warm_welcome",
        now=utcnow() - timedelta(days=5),
    )
    session.commit()
    page = browser.get("/admin/nurture").text
    assert re.search(r"data-in-it>1 contact in it now", page)
    form = browser.get("/admin/nurture/sequences/warm_welcome/edit").text
    assert "1 contact is in this sequence now." in form
    data = _sequence_form(session, "warm_welcome")
    data.update({"rows": "1"})  # keep the first step only: the lead is past it
    saved = browser.post("/admin/nurture/sequences/warm_welcome/edit", data)
    assert saved.status_code == 303
    session.expire_all()
    (enrollment,) = nurture.enrollments_of(session, lead.id)
    assert enrollment.status is EnrollmentStatus.COMPLETED


def test_switch_off_and_delete_sequences(signed_in, session):
    browser = signed_in(Role.ADMIN)
    assert browser.post("/admin/nurture/sequences", _new_sequence()).status_code == 303
    page = browser.get("/admin/nurture").text
    assert "/admin/nurture/sequences/trial_follow_up/delete" in page
    off = browser.post("/admin/nurture/sequences/warm_welcome/switch", {"active": "false"})
    assert off.status_code == 303
    session.expire_all()
    assert nurture_setup.get_sequence(session, "warm_welcome").is_active is False
    assert "switched off" in browser.get("/admin/nurture").text
    assert browser.post("/admin/nurture/sequences/warm_welcome/switch", {"active": "true"})
    session.expire_all()
    assert nurture_setup.get_sequence(session, "warm_welcome").is_active is True
    used = browser.post("/admin/nurture/sequences/warm_welcome/delete")
    assert used.status_code == 409
    assert "the Warm tier uses Warm lead welcome" in used.text
    deleted = browser.post("/admin/nurture/sequences/trial_follow_up/delete")
    assert deleted.status_code == 303
    session.expire_all()
    assert session.scalar(select(Sequence.id).where(Sequence.key == "trial_follow_up")) is None
    assert _audits(session, "nurture.sequence.delete") == 1
    assert "Sequence “Trial follow-up” deleted." in browser.get("/admin/nurture").text


@pytest.mark.parametrize("role", [Role.AE, Role.SE, Role.MANAGER, Role.VIEWER])
def test_only_admins_edit_nurturing(signed_in, session, role):
    browser = signed_in(role)
    for path in (
        "/admin/nurture",
        "/admin/nurture/tiers/edit",
        "/admin/nurture/sequences/new",
        "/admin/nurture/sequences/warm_welcome/edit",
    ):
        assert browser.get(path).status_code == 403, path
    tiers, steps = _tiers(session), _steps(session, "warm_welcome")
    count = session.scalar(select(func.count(Sequence.id)))
    for path, data in (
        ("/admin/nurture/tiers", {**TIERS, "tiers-1-min_score": "45"}),
        ("/admin/nurture/sequences", _new_sequence()),
        ("/admin/nurture/sequences/warm_welcome/edit", _new_sequence(key="warm_welcome")),
        ("/admin/nurture/sequences/warm_welcome/switch", {"active": "false"}),
        ("/admin/nurture/sequences/warm_welcome/delete", {}),
    ):
        assert browser.post(path, data).status_code == 403, path
    assert _tiers(session) == tiers
    assert _steps(session, "warm_welcome") == steps
    assert session.scalar(select(func.count(Sequence.id))) == count


def test_every_change_needs_the_forms_csrf_token(signed_in, session):
    browser = signed_in(Role.ADMIN)
    tiers = _tiers(session)
    refused = browser.post("/admin/nurture/tiers", {**TIERS, "tiers-1-min_score": "45"}, csrf=False)
    assert refused.status_code == 403
    assert "security token" in refused.text
    forged = browser.post(
        "/admin/nurture/sequences", {**_new_sequence(), "csrf_token": "forged"}, csrf=False
    )
    assert forged.status_code == 403
    assert _tiers(session) == tiers
    assert session.scalar(select(Sequence.id).where(Sequence.key == "trial_follow_up")) is None
