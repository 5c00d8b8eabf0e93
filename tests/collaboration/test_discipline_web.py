"""The huddle/debrief discipline page through the real app: the figures are the service's, the
period is chosen (last 30 or 90 days, or dates) and a bad one is shown beside its input, and each
role sees the pods it may (managers their teams' or every team's, AEs and SEs their own)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from techwin.auth import service as auth_service
from techwin.auth.enums import Role
from techwin.collaboration import debriefs, huddles, meetings, reminders
from techwin.collaboration.schemas import DebriefIn, HuddleIn
from techwin.core.time import as_utc, start_of_day, utcnow
from tests import factories


def _call(session, *, actor, deal, hours, huddle=False, debrief=False, **kwargs):
    """A call ``hours`` from now (negative: past), with a huddle before and a debrief after."""
    meeting = factories.meeting(session, actor=actor, deal=deal, hours_from_now=hours, **kwargs)
    if huddle:
        huddles.save_huddle(
            session,
            actor=actor,
            meeting=meeting,
            data=HuddleIn(
                objective="Show SSO",
                call_to_action="Agree the POC",
                held_at=as_utc(meeting.starts_at) - timedelta(hours=1),
            ),
        )
    if debrief:
        debriefs.save_debrief(
            session, actor=actor, meeting=meeting, data=DebriefIn(pain_uncovered="yes")
        )
    return meeting


@pytest.fixture
def world(session, org):
    """Two pods in Maya's team and one in another team, an AE outside any pod, and their calls.

    Last 30 days, major calls that took place: Alex + Priya 3 (2 huddles, 1 debrief), Jordan +
    Lukas 1 (a debrief), Riley + Kim 1 (nothing), no pod 1 (nothing). 40 days ago Alex + Priya
    had one more, with a huddle. Future, cancelled and minor calls do not count."""
    factories.pod(
        session, aes=[org.other_ae], ses=[org.other_se], team_id=org.team.id, name="Jordan + Lukas"
    )
    sam = factories.user(session, role=Role.MANAGER, full_name="Sam Ortiz")
    public = factories.team(session, name="Public sector", manager=sam)
    riley = factories.user(session, role=Role.AE, full_name="Riley Park", team_id=public.id)
    kim = factories.user(session, role=Role.SE, full_name="Kim Novak", team_id=public.id)
    factories.pod(session, aes=[riley], ses=[kim], team_id=public.id, name="Riley + Kim")
    casey = factories.user(session, role=Role.AE, full_name="Casey Wu", team_id=org.team.id)
    pm = factories.user(session, role=Role.PM, full_name="Pat Manning")
    viewer = factories.user(session, role=Role.VIEWER, full_name="Vic Viewer")
    admin = factories.user(session, role=Role.ADMIN, full_name="Ada Admin")

    alex = org.ae
    _call(session, actor=alex, deal=org.deal, hours=-3, huddle=True, debrief=True)
    _call(session, actor=alex, deal=org.deal, hours=-30, huddle=True)
    _call(session, actor=alex, deal=org.deal, hours=-50)
    _call(session, actor=alex, deal=org.deal, hours=-40 * 24, huddle=True)
    _call(session, actor=alex, deal=org.deal, hours=48, huddle=True)  # not yet
    _call(session, actor=alex, deal=org.deal, hours=-6, kind="discovery_call")  # not major
    cancelled = _call(session, actor=alex, deal=org.deal, hours=-10)
    meetings.cancel_meeting(session, actor=alex, meeting=cancelled)
    jordan_deal = factories.opportunity(session, actor=org.other_ae, name="Globex analytics")
    _call(session, actor=org.other_ae, deal=jordan_deal, hours=-20, debrief=True)
    riley_deal = factories.opportunity(session, actor=riley, name="City of Springfield")
    _call(session, actor=riley, deal=riley_deal, hours=-6)
    casey_deal = factories.opportunity(session, actor=casey, name="Hooli expansion")
    _call(session, actor=casey, deal=casey_deal, hours=-8)

    everyone = (org.manager, org.ae, org.other_ae, org.se, org.other_se)
    for user in (*everyone, sam, riley, kim, casey, pm, viewer, admin):
        auth_service.set_password(session, actor=None, user=user, password=factories.PASSWORD)
    session.commit()
    return {
        "org": org,
        "sam": sam,
        "riley": riley,
        "kim": kim,
        "casey": casey,
        "pm": pm,
        "viewer": viewer,
        "admin": admin,
    }


def _rows(html):
    """Each pod row of the table: name → (calls, with huddle, with debrief, owed)."""
    found = {}
    for row in re.findall(r'<tr data-pod="[^"]+">(.*?)</tr>', html, re.S):
        name = re.search(r"<strong>(.*?)</strong>", row).group(1)
        calls = int(re.search(r"data-calls>([\d,]+)<", row).group(1))
        huddled = int(re.search(r'data-huddles="(\d+)"', row).group(1))
        debriefed = int(re.search(r'data-debriefs="(\d+)"', row).group(1))
        owed = int(re.search(r'data-owed="(\d+)"', row).group(1))
        found[name.replace("&#43;", "+")] = (calls, huddled, debriefed, owed)
    return found


def _service(session, days):
    today = utcnow().date()
    figures = reminders.discipline(
        session,
        start=start_of_day(today - timedelta(days=days)),
        end=start_of_day(today) + timedelta(days=1),
    )
    return {
        d.pod_name: (d.major_calls, d.with_huddle, d.with_debrief, d.major_calls - d.with_debrief)
        for d in figures
    }


def test_the_figures_are_the_services_for_each_preset(signed_in, world, session):
    admin = signed_in(user=world["admin"])
    for days in (30, 90):
        page = admin.get(f"/pods/discipline?days={days}")
        assert page.status_code == 200
        shown = _rows(page.text)
        assert shown == _service(session, days)
        assert re.search(rf'class="tab is-active" href="[^"]*days={days}"', page.text)
    last_30 = _rows(admin.get("/pods/discipline?days=30").text)
    assert last_30 == {
        "Alex + Priya": (3, 2, 1, 2),
        "Jordan + Lukas": (1, 0, 1, 0),
        "Riley + Kim": (1, 0, 0, 1),
        "No pod": (1, 0, 0, 1),
    }
    assert _rows(admin.get("/pods/discipline?days=90").text)["Alex + Priya"] == (4, 3, 1, 3)
    # The default is the last 90 days.
    assert _rows(admin.get("/pods/discipline").text) == _service(session, 90)


def test_the_kpis_and_the_chart_add_up_the_pods(signed_in, world):
    page = signed_in(user=world["admin"]).get("/pods/discipline?days=30")
    text = page.text
    assert 'data-kpi="calls">6<' in text
    assert 'data-kpi="huddles">33%<' in text  # 2 of 6
    assert 'data-kpi="debriefs">33%<' in text  # 2 of 6
    assert 'data-kpi="owed">4<' in text
    chart = json.loads(
        re.search(
            r'<script type="application/json" id="discipline-data">(.*?)</script>', text, re.S
        )
        .group(1)
        .replace("&#34;", '"')
    )
    assert chart["labels"] == ["Alex + Priya", "Jordan + Lukas", "Riley + Kim", "No pod"]
    huddled, debriefed = chart["datasets"]
    assert huddled["label"] == "With a huddle"
    assert huddled["data"] == [0.6667, 0.0, 0.0, 0.0]
    assert debriefed["data"] == [0.3333, 1.0, 0.0, 0.0]
    assert chart["axes"]["y"] == {
        "title": "Share of major calls",
        "min": 0,
        "max": 1,
        "percent": True,
    }
    assert '<canvas id="discipline-chart" data-chart="discipline-data"' in text
    assert "/static/vendor/chart.umd.min.js" in text


def test_dates_choose_the_period(signed_in, world, session):
    admin = signed_in(user=world["admin"])
    today = utcnow().date()
    start = today - timedelta(days=45)
    end = today - timedelta(days=35)
    page = admin.get(f"/pods/discipline?start={start.isoformat()}&end={end.isoformat()}")
    assert page.status_code == 200
    assert _rows(page.text)["Alex + Priya"] == (1, 1, 0, 1)
    assert _rows(page.text)["Jordan + Lukas"] == (0, 0, 0, 0)
    assert f'value="{start.isoformat()}"' in page.text
    assert not re.search(r'class="tab is-active" href="[^"]*days=', page.text)
    # A period without calls says so instead of drawing an empty chart.
    quiet = today - timedelta(days=200)
    empty = admin.get(
        f"/pods/discipline?start={quiet.isoformat()}&end={(quiet + timedelta(days=3)).isoformat()}"
    )
    assert "No major calls took place in this period" in empty.text
    assert "discipline-chart" not in empty.text


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ("start=2026-03-10&end=2026-03-01", "start", "the period starts after it ends"),
        ("start=2026-02-30&end=2026-03-01", "start", "is not a date (use YYYY-MM-DD)"),
        ("start=2026-01-01&end=soon", "end", "is not a date (use YYYY-MM-DD)"),
        ("start=2026-01-01", "end", "this field is required"),
        ("end=2026-01-01", "start", "this field is required"),
        ("start=2016-01-01&end=2020-01-01", "start", "at most three years"),
        ("start=2026-01-01&end=2999-01-01", "end", "cannot end after today"),
        ("days=45", "days", "choose the last 30 or the last 90 days, or dates"),
        ("days=thirty", "days", "choose the last 30 or the last 90 days, or dates"),
    ],
)
def test_a_bad_period_is_shown_beside_its_input(signed_in, world, query, field, reason):
    page = signed_in(user=world["org"].manager).get(f"/pods/discipline?{query}")
    assert page.status_code == 422
    text = page.text.replace("&#39;", "'")
    error = re.search(rf'id="f-{field}-error"[^>]*>(.*?)</p>', text, re.S)
    assert error is not None
    assert reason in error.group(1)
    assert f'href="#f-{field}"' in text  # the summary above links to the input
    assert "Choose a valid period" in text
    assert "data-kpi" not in text
    assert "<tr data-pod" not in text


def test_a_manager_sees_their_teams_pods_and_may_widen_to_every_team(signed_in, world):
    manager = signed_in(user=world["org"].manager)
    page = manager.get("/pods/discipline?days=30")
    assert set(_rows(page.text)) == {"Alex + Priya", "Jordan + Lukas"}
    assert "Your teams" in page.text
    assert 'href="/pods/discipline?days=30&amp;teams=all"' in page.text
    every = manager.get("/pods/discipline?days=30&teams=all")
    assert set(_rows(every.text)) == {"Alex + Priya", "Jordan + Lukas", "Riley + Kim", "No pod"}
    assert 'name="teams" value="all"' in every.text  # the dates form keeps the choice


def test_aes_and_ses_see_their_own_pod_only(signed_in, world, browser):
    org = world["org"]
    for person, pod in ((org.se, "Alex + Priya"), (org.other_ae, "Jordan + Lukas")):
        browser.client.cookies.clear()
        page = signed_in(user=person).get("/pods/discipline?days=30&teams=all")
        assert page.status_code == 200
        assert set(_rows(page.text)) == {pod}
        assert "Every team" not in page.text
    browser.client.cookies.clear()
    casey = signed_in(user=world["casey"]).get("/pods/discipline")
    assert casey.status_code == 200
    assert "You are not in a pod yet" in casey.text
    assert "<tr data-pod" not in casey.text


@pytest.mark.parametrize("who", ["pm", "viewer"])
def test_other_roles_are_refused(signed_in, world, who):
    page = signed_in(user=world[who]).get("/pods/discipline")
    assert page.status_code == 403
    assert "for managers, admins and the AEs and SEs of a pod" in page.text
    assert "<tr data-pod" not in page.text


def test_the_page_is_linked_where_pods_and_the_queue_live(signed_in, world, browser):
    org = world["org"]
    ae = signed_in(user=org.ae)
    assert 'href="/pods/discipline"' in ae.get("/pods").text
    page = ae.get("/pods/discipline")
    # The page lives under Pods & charters in the navigation.
    assert re.search(r'class="nav-item is-active" href="/pods" aria-current="page"', page.text)
    browser.client.cookies.clear()
    manager = signed_in(user=org.manager)
    assert 'href="/pods/discipline"' in manager.get("/requests").text


def test_the_page_does_not_query_per_pod_or_call(signed_in, world, session, count_queries):
    admin = signed_in(user=world["admin"])
    org = world["org"]

    def queries():
        with count_queries() as statements:
            assert admin.get("/pods/discipline?days=30").status_code == 200
        return len(statements)

    before = queries()
    for n in range(3):
        ae = factories.user(session, role=Role.AE, team_id=org.team.id)
        factories.pod(session, aes=[ae], ses=[], team_id=org.team.id, name=f"Extra {n}")
        deal = factories.opportunity(session, actor=ae)
        _call(session, actor=ae, deal=deal, hours=-4, huddle=True, debrief=True)
    session.commit()
    assert queries() == before
