"""The manager's home: the team's requests, SE capacity this week, discipline, deals at risk and
pipeline, on a real database; the page per role, its empty states, and a query count that does
not grow with the team."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from techwin.auth.enums import Role
from techwin.collaboration import assignment, huddles, pods, requests, team
from techwin.collaboration.schemas import HuddleIn, SEProfileIn
from techwin.core.time import utcnow
from techwin.errors import PermissionDenied
from tests import factories


@pytest.fixture
def elsewhere(session, org):
    """Another team (Public sector) with its own manager, AE, SE, pod and an open deal."""
    manager = factories.user(session, role=Role.MANAGER, full_name="Omar Farouk")
    other = factories.team(session, name="Public sector", manager=manager)
    ae = factories.user(session, role=Role.AE, full_name="Riley Park", team_id=other.id)
    se = factories.user(session, role=Role.SE, full_name="Kim Novak", team_id=other.id)
    pod = factories.pod(session, aes=[ae], ses=[se], team_id=other.id, name="Riley + Kim")
    deal = factories.opportunity(session, actor=ae, name="City of Springfield", acv="50000")
    session.commit()
    return {"manager": manager, "team": other, "ae": ae, "se": se, "pod": pod, "deal": deal}


def _this_week(session, *, actor, deal, se, hours, is_major=False, day=0):
    """A call ``se`` attends at 10:00 UTC on day ``day`` of this week (0: Monday), ``hours``
    long."""
    monday, _next = assignment.week_bounds(utcnow())
    offset = (monday + timedelta(days=day, hours=10) - utcnow()).total_seconds() / 3600
    return factories.meeting(
        session,
        actor=actor,
        deal=deal,
        hours_from_now=offset,
        duration_minutes=int(hours * 60),
        attendee_ids=[se.id],
        is_major=is_major,
    )


def _healthy(session, *, ae, name="Healthy deal"):
    """An open deal with two engaged stakeholders and a next step: not at risk."""
    deal = factories.opportunity(session, actor=ae, name=name, next_step="Security review Friday")
    factories.stakeholder(session, actor=ae, deal=deal, role="champion")
    factories.stakeholder(session, actor=ae, deal=deal, role="economic_buyer")
    return deal


# ---------- The figures ----------


def test_requests_count_the_teams_waiting_and_blocked_and_list_the_oldest(session, org, elsewhere):
    blocked = factories.se_request(session, actor=org.ae, deal=org.deal)  # custom demo: blocked
    first = factories.se_request(session, actor=org.ae, deal=org.deal, kind="standard_demo")
    second = factories.se_request(
        session, actor=org.other_ae, deal=factories.opportunity(session, actor=org.other_ae)
    )
    second = requests.override_request(
        session, actor=org.manager, request=second, reason="Exec ask", version=second.version
    )
    first.status_changed_at = utcnow() - timedelta(days=4)  # waited longest
    factories.se_request(session, actor=elsewhere["ae"], deal=elsewhere["deal"], kind="rfp")
    session.commit()

    home = team.team_home(session, actor=org.manager)
    assert [t.name for t in home.teams] == ["Enterprise East"]
    assert (home.waiting, home.blocked) == (2, 1)
    assert [r.id for r in home.oldest_waiting] == [first.id, second.id]
    assert blocked.id not in [r.id for r in home.oldest_waiting]
    assert home.oldest_waiting[0].opportunity.account.name  # loaded for the page

    everyone = team.team_home(session, actor=factories.user(session, role=Role.ADMIN))
    assert everyone.every_team
    assert (everyone.waiting, everyone.blocked) == (3, 1)


def test_capacity_lists_the_teams_ses_busiest_first(session, org, elsewhere):
    pods.save_profile(
        session, actor=None, user_id=org.other_se.id, data=SEProfileIn(weekly_capacity_hours=10)
    )
    request = factories.se_request(session, actor=org.ae, deal=org.deal, kind="standard_demo")
    requests.assign_request(
        session, actor=org.manager, request=request, se_id=org.se.id, version=request.version
    )
    for day in (0, 1):
        _this_week(session, actor=org.ae, deal=org.deal, se=org.other_se, hours=6, day=day)
    _this_week(session, actor=org.ae, deal=org.deal, se=org.se, hours=1.5)
    gone = factories.user(session, role=Role.SE, full_name="Gone Person", team_id=org.team.id)
    gone.is_active = False
    session.commit()

    home = team.team_home(session, actor=org.manager)
    rows = [(e.user.full_name, e.open_requests, e.hours_booked) for e in home.engineers]
    assert rows == [("Lukas Becker", 0, 12.0), ("Priya Shah", 1, 1.5)]
    lukas, priya = home.engineers
    assert lukas.capacity_hours == 10
    assert lukas.overbooked
    assert lukas.booked_share == pytest.approx(1.2)
    assert priya.capacity_hours == assignment.DEFAULT_CAPACITY
    assert not priya.overbooked
    assert home.engineer_count == 2
    assert home.week_start == assignment.week_bounds(utcnow())[0].date()


def test_capacity_weighs_open_requests_like_the_assignment_ranking(session, org):
    for _ in range(3):
        deal = factories.opportunity(session, actor=org.ae)
        request = factories.se_request(session, actor=org.ae, deal=deal, kind="standard_demo")
        requests.assign_request(
            session,
            actor=org.manager,
            request=request,
            se_id=org.other_se.id,
            version=request.version,
        )
    _this_week(session, actor=org.ae, deal=org.deal, se=org.se, hours=3)
    session.commit()
    home = team.team_home(session, actor=org.manager)
    # Three open requests weigh 15 points; 3 of 30 hours booked 2.5: Lukas is the busier.
    assert [e.user.full_name for e in home.engineers] == ["Lukas Becker", "Priya Shah"]
    assert home.engineers[0].load_points == 15
    assert home.engineers[1].load_points == 2.5


def test_discipline_covers_the_managers_pods_over_thirty_days(session, org, elsewhere):
    prepared = factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=50)
    huddles.save_huddle(
        session,
        actor=org.ae,
        meeting=prepared,
        data=HuddleIn(objective="Show the audit trail", call_to_action="Book the POC"),
    )
    prepared.starts_at = utcnow() - timedelta(days=2)
    factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=-5)
    factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=-24 * 40)  # too old
    factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=30)  # not yet held
    factories.meeting(session, actor=elsewhere["ae"], deal=elsewhere["deal"], hours_from_now=-5)
    session.commit()

    home = team.team_home(session, actor=org.manager)
    d = home.discipline
    assert (d.major_calls, d.with_huddle, d.with_debrief) == (2, 1, 0)
    assert d.huddle_rate == 0.5
    assert d.debriefs_owed == 2
    everyone = team.team_home(session, actor=factories.user(session, role=Role.ADMIN))
    assert everyone.discipline.major_calls == 3


def test_deals_at_risk_are_the_teams_and_share_the_my_day_rules(session, org, elsewhere):
    _healthy(session, ae=org.ae)
    soon = factories.opportunity(
        session,
        actor=org.other_ae,
        name="Globex analytics",
        next_step="Demo",
        close_date=utcnow().date() + timedelta(days=5),
    )
    factories.stakeholder(session, actor=org.other_ae, deal=soon)  # one engaged person
    session.commit()

    home = team.team_home(session, actor=org.manager)
    assert [r.deal.name for r in home.at_risk] == ["Globex analytics", "Initech platform"]
    assert home.at_risk[0].reasons == ["single-threaded: one engaged stakeholder"]
    assert home.at_risk[1].reasons == ["no engaged stakeholder", "no next step recorded"]
    assert home.at_risk[0].deal.owner.full_name == "Jordan Lee"
    assert home.at_risk_count == 2
    assert not home.risk_scan_full
    # The same rules as the person's own list on My day.
    from techwin.collaboration.overview import deals_at_risk

    mine = deals_at_risk(session, user=org.ae, today=utcnow().date())
    assert [r.reasons for r in mine] == [home.at_risk[1].reasons]


def test_at_risk_lists_at_most_eight_and_counts_them_all(session, org):
    for n in range(9):
        factories.opportunity(session, actor=org.ae, name=f"Thin deal {n}")
    session.commit()
    home = team.team_home(session, actor=org.manager)
    assert len(home.at_risk) == team.RISKS_SHOWN
    assert home.at_risk_count == 10


def test_pipeline_sums_the_teams_open_deals(session, org, elsewhere):
    factories.opportunity(
        session,
        actor=org.other_ae,
        acv="30000",
        close_date=utcnow().date() + timedelta(days=10),
    )
    lost = factories.opportunity(session, actor=org.ae, acv="999000")
    factories.lose(session, actor=org.manager, deal=lost)
    session.commit()
    home = team.team_home(session, actor=org.manager)
    assert home.pipeline.open_deals == 2
    assert home.pipeline.open_acv == Decimal("150000")
    assert home.pipeline.closing_soon == 1


def test_a_manager_without_a_team_gets_an_empty_home(session, org):
    loner = factories.user(session, role=Role.MANAGER, full_name="Lone Manager")
    home = team.team_home(session, actor=loner)
    assert not home.has_team
    assert (home.waiting, home.engineers, home.at_risk) == (0, [], [])


@pytest.mark.parametrize("role", [Role.AE, Role.SE, Role.VIEWER])
def test_only_managers_and_admins_get_a_team_home(session, role):
    with pytest.raises(PermissionDenied):
        team.team_home(session, actor=factories.user(session, role=role))


# ---------- The page ----------


@pytest.fixture
def people(session, org, elsewhere):
    """The org's people with passwords, so they can sign in."""
    from techwin.auth import service as auth_service

    for user in (org.manager, org.ae, org.other_ae, org.se, org.other_se):
        auth_service.set_password(session, actor=None, user=user, password=factories.PASSWORD)
    session.commit()
    return org


TEAM_MARKERS = ('id="team-kpis"', "SE capacity this week", "Waiting longest for an SE")


def test_the_manager_sees_the_team_view(signed_in, people, session, elsewhere):
    request = factories.se_request(session, actor=people.ae, deal=people.deal, kind="workshop")
    factories.se_request(session, actor=elsewhere["ae"], deal=elsewhere["deal"], kind="rfp")
    _this_week(session, actor=people.ae, deal=people.deal, se=people.se, hours=6)
    session.commit()
    page = signed_in(user=people.manager).get("/")
    assert page.status_code == 200
    text = page.text
    for marker in TEAM_MARKERS:
        assert marker in text
    assert "Enterprise East" in text
    assert 'data-kpi="waiting">1<' in text
    assert f'href="/requests/{request.id}"' in text
    assert 'href="/requests?tab=waiting"' in text
    assert 'href="/requests?tab=blocked"' in text
    assert 'href="/pods/discipline?days=30"' in text
    assert "City of Springfield" not in text  # another team's deal
    assert "Kim Novak" not in text  # another team's SE
    assert "<strong>6</strong> of 30 h" in text
    assert "Priya Shah" in text
    assert "Lukas Becker" in text
    assert f'href="/opportunities/{people.deal.id}#stakeholders"' in text
    assert "no next step recorded" in text
    assert "My open deals" not in text


def test_an_admin_sees_every_team(signed_in, people, elsewhere):
    page = signed_in(Role.ADMIN).get("/").text
    assert "every team" in page
    assert "Kim Novak" in page
    assert "City of Springfield" in page
    assert "Deals at risk in the organisation" in page


@pytest.mark.parametrize("role", [Role.AE, Role.SE, Role.VIEWER])
def test_everyone_else_keeps_their_own_home(signed_in, people, session, role):
    factories.se_request(session, actor=people.ae, deal=people.deal, kind="workshop")
    session.commit()
    page = signed_in(role).get("/").text
    assert "My open deals" in page
    assert "Lifecycle at a glance" in page
    for marker in (*TEAM_MARKERS, "Deals at risk in the", "Huddles &amp; debriefs"):
        assert marker not in page


def test_the_teams_ae_sees_none_of_the_team_view(signed_in, people):
    page = signed_in(user=people.ae).get("/").text
    assert "Initech platform" in page  # their own deal, as before
    for marker in (*TEAM_MARKERS, "Lukas Becker", "You do not manage a team yet"):
        assert marker not in page


def test_a_manager_without_a_team_is_told_how_to_get_one(signed_in):
    page = signed_in(Role.MANAGER).get("/")
    assert page.status_code == 200
    assert "You do not manage a team yet" in page.text
    assert "Ask an admin to make you a team&#39;s manager" in page.text
    assert 'id="team-kpis"' not in page.text


def test_empty_sections_say_so(signed_in, session, make_user):
    manager = make_user(Role.MANAGER, full_name="New Manager")
    factories.team(session, name="Fresh team", manager=manager)
    session.commit()
    text = signed_in(user=manager).get("/").text
    assert "Fresh team" in text
    assert "No request is waiting for an SE." in text
    assert "No SEs in your team yet" in text
    assert "Nothing at risk: the team has no open deal yet." in text
    assert "No major call took place in the last 30 days" in text
    assert "No open deal owned by your team&#39;s AEs yet." in text
    assert "<table" not in text


def test_a_team_whose_deals_are_healthy_says_so(signed_in, session, make_user):
    manager = make_user(Role.MANAGER, full_name="Calm Manager")
    calm = factories.team(session, name="Calm team", manager=manager)
    ae = factories.user(session, role=Role.AE, team_id=calm.id)
    _healthy(session, ae=ae)
    session.commit()
    text = signed_in(user=manager).get("/").text
    assert "Every open deal of the team is multi-threaded with a next step." in text
    assert 'data-pipeline="deals">1<' in text


def test_long_names_are_clipped_with_the_full_name_on_hover(signed_in, people, session, make_user):
    long_name = "Maximiliana Alexandrina Konstantinopoulou-Vandenberghe"
    make_user(Role.SE, full_name=long_name, team_id=people.team.id)
    text = signed_in(user=people.manager).get("/").text
    assert f'title="{long_name}"' in text


def test_the_home_does_not_query_per_se_or_deal(signed_in, people, session, count_queries):
    manager = signed_in(user=people.manager)

    def queries():
        with count_queries() as statements:
            assert manager.get("/").status_code == 200
        return len(statements)

    def add(n):
        for _ in range(n):
            se = factories.user(session, role=Role.SE, team_id=people.team.id)
            ae = factories.user(session, role=Role.AE, team_id=people.team.id)
            deal = factories.opportunity(session, actor=ae)
            factories.stakeholder(session, actor=ae, deal=deal)
            request = factories.se_request(session, actor=ae, deal=deal, kind="standard_demo")
            requests.assign_request(
                session, actor=people.manager, request=request, se_id=se.id, version=request.version
            )
            factories.se_request(session, actor=ae, deal=deal, kind="workshop")
            factories.se_request(session, actor=ae, deal=deal)  # blocked
            _this_week(session, actor=ae, deal=deal, se=se, hours=2, is_major=True)
        session.commit()

    add(1)
    few = queries()
    add(6)
    assert queries() == few
    assert few <= 20, few  # the signed-in person and the nav take 4, the team view 15


def test_the_technical_wins_card_counts_the_teams_decisions(signed_in, people, session, elsewhere):
    from techwin.evaluation import technical_win
    from techwin.evaluation.enums import NoGoReason
    from techwin.evaluation.schemas import NoGoIn

    mine = factories.opportunity(session, actor=people.ae, se_ids=[people.se.id], name="Mine")
    theirs = factories.opportunity(
        session, actor=elsewhere["ae"], se_ids=[elsewhere["se"].id], name="Theirs"
    )
    for se, deal, code in (
        (people.se, mine, NoGoReason.NO_BUDGET),
        (elsewhere["se"], theirs, NoGoReason.POOR_TECHNICAL_FIT),
    ):
        technical_win.declare_no_go(
            session, actor=se, opportunity=deal, data=NoGoIn(no_go_reason=code, reason="No fit")
        )
    session.commit()
    text = signed_in(user=people.manager).get("/").text
    card = text[text.index('id="technical-wins"') :]
    assert 'data-dq="decided">1<' in card  # the other team's no-go is not counted
    assert 'data-dq="no-go">1<' in card
    assert 'data-dq="rate">100%<' in card
    assert "Healthy: 15–25%." in card


def test_without_decisions_the_technical_wins_card_says_so(signed_in, people):
    text = signed_in(user=people.manager).get("/").text
    card = text[text.index('id="technical-wins"') :]
    assert "No technical win decided on your team" in card


def test_a_managers_queue_lists_their_teams_requests_unless_asked_for_every_team(
    signed_in, people, session, elsewhere
):
    ours = factories.se_request(session, actor=people.ae, deal=people.deal, kind="workshop")
    theirs = factories.se_request(
        session, actor=elsewhere["ae"], deal=elsewhere["deal"], kind="rfp"
    )
    session.commit()
    manager = signed_in(user=people.manager)
    mine = manager.get("/requests?tab=waiting").text
    assert f'href="/requests/{ours.id}"' in mine
    assert f'href="/requests/{theirs.id}"' not in mine
    assert 'name="all_teams"' in mine
    every = manager.get("/requests?tab=waiting&all_teams=1").text
    assert f'href="/requests/{ours.id}"' in every
    assert f'href="/requests/{theirs.id}"' in every


def test_the_pipeline_link_opens_the_board_of_the_managers_team(signed_in, people):
    page = signed_in(user=people.manager).get("/").text
    assert f'href="/board?team_id={people.team.id}"' in page
