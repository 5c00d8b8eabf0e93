"""The large demo: its organisation, and the chunked path every scale takes (exercised on small
organisations: the suite never generates a million leads)."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from techwin.auth.enums import Role
from techwin.cli.demo import highlights
from techwin.cli.main import app
from techwin.core.time import as_utc, start_of_day
from techwin.demo import SCALE_SPECS, SCALES, generate
from techwin.demo.generator import NURTURE_EVERY, ScaleSpec
from techwin.demo.people import build_org, team_layout
from techwin.models import Account, Contact, LeadScore, Opportunity, Team, User
from techwin.scoring.service import score_contacts
from tests.demo.conftest import TODAY
from tests.demo.test_generator import _snapshot

LARGE = SCALE_SPECS["large"]
# The large organisation with a hundredth of its leads and accounts, in the smallest regional
# layout (every segment split by region), working its funnel just as hard.
SCALED_DOWN = ScaleSpec(
    contacts=LARGE.contacts // 100,
    accounts=LARGE.accounts // 100,
    managers=15,
    ses=15,
    aes=15,
    lift=LARGE.lift,
)


def test_large_is_a_million_leads_in_a_believable_organisation():
    assert "large" in SCALES
    assert LARGE.contacts == 1_000_000
    medium = SCALE_SPECS["medium"]
    # About as many leads per AE as in medium, and an SE for every two or so AEs.
    per_ae, per_ae_medium = LARGE.contacts / LARGE.aes, medium.contacts / medium.aes
    assert 0.5 * per_ae_medium <= per_ae <= 1.5 * per_ae_medium
    assert 0.4 <= LARGE.ses / LARGE.aes <= 0.8
    assert 10 <= LARGE.contacts / LARGE.accounts <= 25
    # Teams of a believable size, each with a manager, covering a segment in a region.
    teams = team_layout(LARGE.managers)
    assert len(teams) == LARGE.managers
    assert 6 <= LARGE.ses / LARGE.managers <= 14
    assert {t.segments for t in teams} == {("enterprise",), ("mid-market",), ("commercial",)}
    assert all(t.regions is not None and len(t.regions) == 1 for t in teams)
    assert len({t.name for t in teams}) == len(teams)
    # The funnel is worked harder than medium's, not reshaped.
    assert 1.0 < LARGE.lift < 1.3


def test_cli_offers_the_large_scale_and_lists_a_few_of_its_sign_ins():
    result = CliRunner().invoke(app, ["demo", "--help"])
    assert result.exit_code == 0
    assert "large" in result.stdout
    org = build_org(random.Random(1), first_id=1, managers=60, ses=600, aes=1_000)
    shown = highlights(org.logins())
    assert len(shown) <= 12
    assert [login.email.split("@")[0] for login in shown][:4] == [
        "director",
        "manager1",
        "manager2",
        "manager3",
    ]


def test_chunks_change_nothing_in_the_rows(session):
    """Writing a hundred leads at a time (with nurture passes on the way) gives exactly the
    rows of writing them all at once; only the ids of the nurture service's rows may differ."""
    spec = ScaleSpec(contacts=1_500, accounts=120, managers=15, ses=30, aes=45, lift=1.19)
    assert NURTURE_EVERY < 1_500 // 100  # so the nurture run is made in two passes
    whole = generate(session, scale="large", spec=spec, seed=5, today=TODAY, chunk_size=10_000)
    first = _snapshot(session)
    session.rollback()
    chunked = generate(session, scale="large", spec=spec, seed=5, today=TODAY, chunk_size=100)
    second = _snapshot(session)

    assert whole.rows == chunked.rows
    assert whole.contacts_by_stage == chunked.contacts_by_stage
    assert whole.nurture == chunked.nurture
    assert whole.rows["contact"] == 1_500
    assert whole.rows["opportunity"] > 0
    assert whole.rows["task"] > whole.rows["nurture_enrollment"] > 0
    for name, rows in first.items():
        assert rows == second[name], f"{name} differs between chunk sizes"


def test_a_simulation_in_its_own_process_gives_the_same_rows(session):
    """The large scale simulates in a process of its own; the rows are those made in-process."""
    spec = ScaleSpec(contacts=600, accounts=60, managers=15, ses=15, aes=15, lift=1.19)
    here = generate(
        session, scale="large", spec=spec, seed=3, today=TODAY, chunk_size=200, background=False
    )
    first = _snapshot(session)
    session.rollback()
    there = generate(
        session, scale="large", spec=spec, seed=3, today=TODAY, chunk_size=200, background=True
    )
    second = _snapshot(session)

    assert here.rows == there.rows
    assert here.logins == there.logins
    assert here.mql_by_score == there.mql_by_score
    for name, rows in first.items():
        assert rows == second[name], f"{name} differs when simulated in another process"


def test_a_failure_in_the_simulation_process_is_reported_by_the_writing_one(session):
    impossible = ScaleSpec(contacts=100, accounts=10, managers=13, ses=13, aes=13)
    with pytest.raises(RuntimeError, match="cannot lead a team in every segment and region"):
        generate(session, scale="large", spec=impossible, today=TODAY, background=True)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_bulk_scores_are_the_scoring_services_own(session, demo):
    """The demo writes scores in bulk; the service, asked again, computes the same ones."""
    stored = {s.contact_id: s for s in session.scalars(select(LeadScore))}
    assert len(stored) == demo.rows["contact"]
    horizon = start_of_day(TODAY)
    computed = score_contacts(session, sorted(stored), now=horizon, automate=False)
    assert computed.keys() == stored.keys()
    for contact_id, score in computed.items():
        row = stored[contact_id]
        assert (row.fit, row.engagement, row.total) == (score.fit, score.engagement, score.total)
        assert row.reasons == [
            {
                "rule_id": r.rule_id,
                "label": r.label,
                "points": r.points,
                "category": r.category.value,
            }
            for r in score.reasons
        ]
        assert as_utc(row.computed_at) == horizon


def test_the_large_organisation_keeps_medium_s_funnel_shape_with_twice_the_deals(session):
    summary = generate(session, scale="large", spec=SCALED_DOWN, seed=42, today=TODAY)
    rows = summary.rows
    assert rows["contact"] == SCALED_DOWN.contacts
    # About one deal for every ten leads (medium: one for every twenty).
    assert 0.08 <= rows["opportunity"] / rows["contact"] <= 0.12
    # Lifecycle moves and stage changes: two to three per lead (2-3 million at full size).
    moves = rows["lifecycle_transition"] + rows["stage_change"]
    assert 2.0 <= moves / rows["contact"] <= 3.2
    ranks = Counter(session.scalars(select(Contact.furthest_rank)))
    reached = [sum(n for rank, n in ranks.items() if rank >= k) for k in range(6)]
    assert all(a > b for a, b in itertools.pairwise(reached)), reached
    lead_mql, mql_sal, sal_sql, sql_opp, opp_customer = (
        b / a for a, b in itertools.pairwise(reached)
    )
    assert 0.3 <= lead_mql <= 0.42
    assert 0.55 <= mql_sal <= 0.75
    assert 0.45 <= sal_sql <= 0.62
    assert 0.65 <= sql_opp <= 0.85
    assert 0.18 <= opp_customer <= 0.35  # deals are won as often as in medium
    assert rows["lead_score"] == rows["contact"]
    assert rows["task"] >= rows["nurture_enrollment"] > 0
    # Teams own the accounts of their segment in their region, through their AEs.
    teams = {t.id: t.name for t in session.scalars(select(Team))}
    assert len(teams) == SCALED_DOWN.managers
    team_of = {u.id: u.team_id for u in session.scalars(select(User).where(User.role == Role.AE))}
    for account in session.scalars(select(Account)):
        assert account.region in teams[team_of[account.owner_id] or 0]
    # Deals are spread over the AEs, not piled on a few.
    per_owner = Counter(session.scalars(select(Opportunity.owner_id)))
    assert len(per_owner) >= 0.9 * SCALED_DOWN.aes
