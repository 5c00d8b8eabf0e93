"""Assignment: the pure, explained ranking, and the query that feeds it real loads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from techwin.auth.enums import Role
from techwin.collaboration import assignment, requests
from techwin.collaboration.assignment import Ask, Candidate
from techwin.collaboration.schemas import SEProfileIn
from tests import factories


def _candidate(name, **kwargs):
    data = {
        "user_id": abs(hash(name)) % 10_000,
        "name": name,
        "in_pod": False,
        "in_team": True,
        "skills": frozenset(),
        "territories": frozenset(),
        "open_requests": 0,
        "hours_this_week": 0.0,
        "capacity_hours": 30,
    }
    data.update(kwargs)
    return Candidate(**data)


ASK = Ask(topics=frozenset({"custom_demo", "sso"}), region="EMEA")


def test_the_pod_wins_over_skills_and_every_point_has_a_reason():
    pod = _candidate("Priya", in_pod=True)
    skilled = _candidate("Lukas", skills=frozenset({"sso", "custom_demo"}))
    ranked = assignment.rank([skilled, pod], ASK)
    assert [r.candidate.name for r in ranked] == ["Priya", "Lukas"]
    assert ranked[0].score == 50.0
    assert ranked[0].reasons == [
        "in the AE's pod (+40)",
        "in the AE's team (+10)",
        "none of the asked skills (+0)",
    ]
    assert ranked[1].score == 40.0
    assert "knows custom demo, sso: 2 of 2 asked (+30)" in ranked[1].reasons


def test_partial_skills_and_territory():
    half = _candidate("Ana", skills=frozenset({"sso"}), territories=frozenset({"emea"}))
    points, reasons = assignment.score(half, ASK)
    assert points == 10 + 15 + 15
    assert "knows sso: 1 of 2 asked (+15)" in reasons
    assert "covers EMEA (+15)" in reasons


def test_load_and_booked_hours_push_a_busy_se_down():
    idle = _candidate("Idle")
    busy = _candidate("Busy", open_requests=3, hours_this_week=15.0)
    swamped = _candidate("Swamped", open_requests=9, hours_this_week=45.0)
    ranked = assignment.rank([swamped, busy, idle], ASK)
    assert [r.candidate.name for r in ranked] == ["Idle", "Busy", "Swamped"]
    busy_ranked = ranked[1]
    assert "3 open requests (−15)" in busy_ranked.reasons
    assert "15 of 30 h booked this week (−12.5)" in busy_ranked.reasons
    swamped_ranked = ranked[2]
    assert "9 open requests (−30)" in swamped_ranked.reasons  # capped
    assert any("fully booked" in r for r in swamped_ranked.reasons)
    assert any("(−37.5)" in r for r in swamped_ranked.reasons)


def test_ties_go_to_the_lighter_load_then_the_name():
    a = _candidate("Bea", in_team=False)
    b = _candidate("Al", in_team=False)
    c = _candidate("Cy", in_team=False, open_requests=0)
    assert [r.candidate.name for r in assignment.rank([a, c, b], Ask(frozenset(), None))] == [
        "Al",
        "Bea",
        "Cy",
    ]
    assert [r.rank for r in assignment.rank([a, b], Ask(frozenset(), None))] == [1, 2]


def test_week_bounds_start_on_monday_utc():
    start, end = assignment.week_bounds(datetime(2026, 11, 26, 15, 0, tzinfo=UTC))
    assert start == datetime(2026, 11, 23, tzinfo=UTC)
    assert end == datetime(2026, 11, 30, tzinfo=UTC)


def test_suggestions_from_the_database_use_pod_profiles_and_load(session, org):
    from techwin.collaboration import pods

    request = factories.se_request(session, actor=org.ae, deal=org.deal, kind="standard_demo")
    ranked = assignment.suggest(session, actor=org.manager, request=request)
    assert [r.candidate.name for r in ranked] == ["Priya Shah", "Lukas Becker"]  # Alex's pod
    # Lukas knows standard demos and covers the account's region: 55 points beat the pod's 50.
    pods.save_profile(
        session,
        actor=org.manager,
        user_id=org.other_se.id,
        data=SEProfileIn(skills=["standard_demo"], territories=["EMEA"]),
    )
    ranked = assignment.suggest(session, actor=org.manager, request=request)
    lukas, priya = ranked
    assert lukas.candidate.name == "Lukas Becker"
    assert lukas.score == 55
    assert "knows standard demo: 1 of 1 asked (+30)" in lukas.reasons
    assert "covers EMEA (+15)" in lukas.reasons
    assert priya.score == 50
    # Lukas gets busy: three assigned requests.
    for _ in range(3):
        deal = factories.opportunity(session, actor=org.ae)
        other = factories.se_request(session, actor=org.ae, deal=deal, kind="discovery_call")
        requests.assign_request(
            session, actor=org.manager, request=other, se_id=org.other_se.id, version=None
        )
    ranked = assignment.suggest(session, actor=org.manager, request=request)
    assert [r.candidate.name for r in ranked] == ["Priya Shah", "Lukas Becker"]
    assert ranked[1].candidate.open_requests == 3
    assert "3 open requests (−15)" in ranked[1].reasons


def test_hours_booked_count_this_weeks_calls(session, org):
    from techwin.core.time import utcnow

    now = utcnow()
    start, end = assignment.week_bounds(now)
    with_priya = {"attendee_ids": [org.se.id]}
    factories.meeting(session, actor=org.ae, deal=org.deal, duration_minutes=90, **with_priya)
    meeting = factories.meeting(
        session, actor=org.ae, deal=org.deal, duration_minutes=30, **with_priya
    )
    booked = assignment.hours_booked(
        session,
        [org.se.id, org.other_se.id],
        start=now - timedelta(days=1),
        end=now + timedelta(days=7),
    )
    assert booked == {org.se.id: 2.0}
    from techwin.collaboration import meetings

    meetings.cancel_meeting(session, actor=org.ae, meeting=meeting)
    booked = assignment.hours_booked(
        session, [org.se.id], start=now - timedelta(days=1), end=now + timedelta(days=7)
    )
    assert booked == {org.se.id: 1.5}
    assert start <= now < end


def test_a_manager_is_offered_the_ses_of_their_teams_only(session, org):
    other_team = factories.team(session, name="Public sector")
    factories.user(session, role=Role.SE, full_name="Outsider", team_id=other_team.id)
    request = factories.se_request(session, actor=org.ae, deal=org.deal, kind="discovery_call")
    names = {
        r.candidate.name for r in assignment.suggest(session, actor=org.manager, request=request)
    }
    assert "Outsider" not in names
    assert {"Priya Shah", "Lukas Becker"} <= names
    admin = factories.user(session, role=Role.ADMIN, password=None)
    everyone = {r.candidate.name for r in assignment.suggest(session, actor=admin, request=request)}
    assert "Outsider" in everyone


def test_re_assigning_does_not_charge_the_holder_for_the_request_itself(session, org):
    request = factories.se_request(session, actor=org.ae, deal=org.deal, kind="standard_demo")
    requests.assign_request(
        session, actor=org.manager, request=request, se_id=org.se.id, version=None
    )
    deal = factories.opportunity(session, actor=org.ae)
    other = factories.se_request(session, actor=org.ae, deal=deal, kind="discovery_call")
    requests.assign_request(
        session, actor=org.manager, request=other, se_id=org.se.id, version=None
    )
    ranked = {
        r.candidate.name: r for r in assignment.suggest(session, actor=org.manager, request=request)
    }
    assert ranked["Priya Shah"].candidate.open_requests == 1  # the other request only
    assert "1 open request (−5)" in ranked["Priya Shah"].reasons
