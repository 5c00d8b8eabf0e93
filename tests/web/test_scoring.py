"""Scores on lead pages and lists: reasons that add up, engagement events (bad ones stored
nowhere), the score column with its sort and minimum, the predictive likelihood, nurture
enrollments and unsubscribing."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from techwin.auth.enums import Role
from techwin.core.time import utcnow
from techwin.pipeline.enums import Seniority
from techwin.scoring import service as scoring
from techwin.scoring.models import EngagementEvent
from techwin.scoring.nurture.enums import EnrollmentStatus
from techwin.scoring.nurture.models import Enrollment, Task
from techwin.scoring.predictive import service as predictive
from tests import factories
from tests.scoring.test_predictive import make_history


def _events(session):
    return session.scalar(select(func.count(EngagementEvent.id)))


def _vp(session, owner, **kwargs):
    account = factories.account(session, actor=owner, industry="Software", employee_count=800)
    return factories.contact(
        session,
        actor=owner,
        title="VP Engineering",
        seniority=Seniority.VP,
        account_id=account.id,
        **kwargs,
    )


def _numbers(texts):
    return [float(t.replace("−", "-").replace("+", "")) for t in texts]


def test_the_score_lists_its_reasons_and_they_add_up(signed_in, session):
    browser = signed_in(Role.AE)
    lead = _vp(session, browser.user)
    session.commit()
    page = browser.get(f"/leads/{lead.id}").text
    total = float(re.search(r"data-score-total>([^<]+)<", page).group(1))
    reasons = _numbers(
        re.findall(r'<li data-reason><span>[^<]+</span><b class="\w+">([^<]+)</b>', page)
    )
    assert reasons
    assert sum(reasons) == total
    assert "Executive buyer (VP or C-level)" in page
    assert "Target industry" in page
    assert "points below the MQL threshold (75)" in page
    assert "No engagement yet" in page


def test_recording_an_event_rescores_the_lead(signed_in, session):
    browser = signed_in(Role.AE)
    lead = _vp(session, browser.user)
    session.commit()
    before = scoring.score_of(session, lead.id).total
    when = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = browser.post(
        f"/leads/{lead.id}/events",
        {"kind": "demo_request", "occurred_at": when, "detail": "Pricing page form"},
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/leads/{lead.id}#engagement"
    session.expire_all()
    after = scoring.score_of(session, lead.id).total
    assert after > before + 29  # a fresh demo request: 30 points, barely decayed
    page = browser.get(response.headers["location"]).text
    assert f"Demo request recorded; the score is now {after:g}." in page
    assert "Pricing page form" in page
    assert "via web" in page


def test_bad_events_are_shown_beside_their_field_and_nothing_is_stored(signed_in, session):
    browser = signed_in(Role.AE)
    lead = factories.contact(session, actor=browser.user)
    session.commit()
    before = _events(session)
    future = browser.post(
        f"/leads/{lead.id}/events", {"kind": "page_view", "occurred_at": "2099-01-01T10:00"}
    )
    assert future.status_code == 422
    assert re.search(r'id="f-occurred_at-error">.*cannot be in the future', future.text, re.S)
    assert 'value="2099-01-01T10:00"' in future.text  # what was typed stays
    unknown = browser.post(
        f"/leads/{lead.id}/events", {"kind": "carrier_pigeon", "occurred_at": "2026-01-01T10:00"}
    )
    assert unknown.status_code == 422
    assert 'id="f-kind-error"' in unknown.text
    blank = browser.post(f"/leads/{lead.id}/events", {"kind": "page_view", "occurred_at": ""})
    assert blank.status_code == 422
    assert re.search(r'id="f-occurred_at-error">.*this field is required', blank.text, re.S)
    assert _events(session) == before


def test_the_leads_list_shows_sorts_and_filters_by_score(signed_in, session):
    browser = signed_in(Role.AE)
    high = _vp(session, browser.user, last_name="High", source="demo request")
    low = factories.contact(session, actor=browser.user, last_name="Low", seniority=Seniority.IC)
    mid = factories.contact(
        session, actor=browser.user, last_name="Mid", seniority=Seniority.DIRECTOR
    )
    session.commit()
    scores = {c.last_name: scoring.score_of(session, c.id).total for c in (high, low, mid)}
    assert scores["High"] > scores["Mid"] > scores["Low"]
    mine = f"owner_id={browser.user.id}"
    page = browser.get(f"/leads?{mine}&sort=-score").text
    names = re.findall(r'class="row-link strong" href="/leads/\d+">Dana (\w+)<', page)
    assert names == ["High", "Mid", "Low"]
    assert "score-pill" in page
    ascending = browser.get(f"/leads?{mine}&sort=score").text
    assert re.findall(r'href="/leads/\d+">Dana (\w+)<', ascending) == ["Low", "Mid", "High"]
    floor = scores["Mid"]
    filtered = browser.htmx(
        "GET", "/leads", "results", {"owner_id": browser.user.id, "min_score": f"{floor:g}"}
    )
    listed = re.findall(r'href="/leads/\d+">Dana (\w+)<', filtered.text)
    assert sorted(listed) == ["High", "Mid"]
    assert "2</strong> leads" in filtered.text
    bad = browser.get(f"/leads?{mine}&min_score=lots").text
    assert "min score: &#39;lots&#39; is not a number" in bad
    export = browser.get(f"/leads/export?{mine}&min_score={floor:g}&sort=-score")
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0][-1] == "score"
    assert [r[2] for r in rows[1:]] == ["High", "Mid"]
    assert float(rows[1][-1]) == scores["High"]


def test_the_likelihood_shows_once_a_model_is_active(signed_in, session, make_user):
    browser = signed_in(Role.AE)
    lead = _vp(session, browser.user, source="demo request")
    session.commit()
    assert 'id="likelihood"' not in browser.get(f"/leads/{lead.id}").text
    make_history(session, n=500)
    admin = make_user(Role.ADMIN, password=None)
    model = predictive.train_model(session, actor=admin)
    predictive.predict_contacts(session, [lead.id])
    session.commit()
    page = browser.get(f"/leads/{lead.id}").text
    assert 'id="likelihood"' in page
    assert f"model v{model.version}" in page
    assert re.search(r"data-likelihood>\d+(\.\d)?%<", page)
    assert "chance to reach Sales qualified within 180 days" in page
    assert "data-why" in page
    listing = browser.get(f"/leads?owner_id={browser.user.id}").text
    assert "Likelihood" in listing


def test_enrolling_and_unsubscribing(signed_in, session):
    browser = signed_in(Role.AE)
    lead = factories.contact(session, actor=browser.user)
    session.commit()
    enrolled = browser.post(f"/leads/{lead.id}/enroll", {"sequence": "warm_welcome"})
    assert enrolled.status_code == 303, enrolled.text
    page = browser.get(f"/leads/{lead.id}").text
    assert "enrolled in Warm lead welcome" in page
    assert 'data-enrollment="warm_welcome"' in page
    assert "step 2 of 4" in page  # the first step became a task at once
    again = browser.post(f"/leads/{lead.id}/enroll", {"sequence": "warm_welcome"})
    assert again.status_code == 409
    assert "already in Warm lead welcome" in again.text
    unknown = browser.post(f"/leads/{lead.id}/enroll", {"sequence": "nope"})
    assert unknown.status_code == 404
    assert "no sequence &#39;nope&#39;" in unknown.text
    gone = browser.post(f"/leads/{lead.id}/unsubscribe", {"reason": "asked by email"})
    assert gone.status_code == 303
    session.expire_all()
    enrollment = session.scalar(select(Enrollment).where(Enrollment.contact_id == lead.id))
    assert enrollment.status is EnrollmentStatus.STOPPED
    assert all(
        t.status.value == "cancelled"
        for t in session.scalars(select(Task).where(Task.contact_id == lead.id))
    )
    page = browser.get(f"/leads/{lead.id}").text
    assert "is unsubscribed: no more sequences or nurture tasks." in page
    assert "data-unsubscribed" in page
    assert f'action="/leads/{lead.id}/enroll"' not in page
    refused = browser.post(f"/leads/{lead.id}/enroll", {"sequence": "warm_welcome"})
    assert refused.status_code == 409
    assert "this contact unsubscribed" in refused.text


def test_only_people_who_may_change_the_lead_record_events(signed_in, session, make_user):
    owner = make_user(Role.AE)
    lead = factories.contact(session, actor=owner)
    session.commit()
    browser = signed_in(Role.AE)  # another AE
    before = _events(session)
    page = browser.get(f"/leads/{lead.id}").text
    assert f'action="/leads/{lead.id}/events"' not in page
    refused = browser.post(
        f"/leads/{lead.id}/events", {"kind": "page_view", "occurred_at": "2026-01-01T10:00"}
    )
    assert refused.status_code == 403
    assert _events(session) == before
    assert browser.post(f"/leads/{lead.id}/unsubscribe", {}).status_code == 403
