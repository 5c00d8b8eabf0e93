"""The stakeholder map and multi-threading coverage; pods, the SE:AE ratio and SE profiles."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from techwin.auth.enums import Role
from techwin.collaboration import pods, stakeholders
from techwin.collaboration.charter_rules import StakeholderFact
from techwin.collaboration.enums import BuyingRole, Engagement, PodSide
from techwin.collaboration.schemas import (
    PodIn,
    PodMemberIn,
    SEProfileIn,
    StakeholderIn,
    StakeholderPatch,
)
from techwin.errors import Conflict, InvalidInput, PermissionDenied
from techwin.pipeline import opportunities
from tests import factories

E = Engagement


def _fact(role, engagement):
    return StakeholderFact("X", role, engagement, None)


def test_coverage_counts_engaged_people_and_key_roles():
    facts = [
        _fact(BuyingRole.ECONOMIC_BUYER, E.ENGAGED),
        _fact(BuyingRole.CHAMPION, E.ACTIVE),
        _fact(BuyingRole.TECHNICAL_EVALUATOR, E.AWARE),
        _fact(BuyingRole.INFLUENCER, E.ENGAGED),
    ]
    cover = stakeholders.coverage(facts)
    assert cover.engaged_people == 3
    assert cover.covered == [BuyingRole.ECONOMIC_BUYER, BuyingRole.CHAMPION]
    assert cover.missing == [BuyingRole.TECHNICAL_EVALUATOR, BuyingRole.DECISION_MAKER]
    assert cover.ratio == 0.5
    assert not cover.single_threaded
    assert not cover.has_blocker
    alone = stakeholders.coverage([_fact(BuyingRole.CHAMPION, E.ACTIVE)])
    assert alone.single_threaded
    assert stakeholders.coverage([_fact(BuyingRole.BLOCKER, E.NONE)]).has_blocker


def test_adding_updating_and_removing_stakeholders(session, org):
    hank = factories.stakeholder(session, actor=org.ae, deal=org.deal, seniority="vp")
    assert hank.contact.account_id == org.deal.account_id
    links = opportunities.opportunity_contacts(session, org.deal.id)
    assert hank.contact_id in [link.contact_id for link in links]  # on the deal's contacts too
    with pytest.raises(Conflict):
        stakeholders.add_stakeholder(
            session,
            actor=org.ae,
            deal=org.deal,
            data=StakeholderIn(contact_id=hank.contact_id, role="champion"),
        )
    changed = stakeholders.update_stakeholder(
        session,
        actor=org.ae,
        stakeholder=hank,
        data=StakeholderPatch(engagement="active", sentiment="positive", version=hank.version),
    )
    assert changed.engagement is E.ACTIVE
    assert changed.last_touch_at is not None
    with pytest.raises(InvalidInput) as empty:
        stakeholders.update_stakeholder(
            session, actor=org.ae, stakeholder=hank, data=StakeholderPatch(role=None)
        )
    assert empty.value.field == "role"
    stakeholders.remove_stakeholder(session, actor=org.ae, stakeholder=hank)
    assert stakeholders.list_stakeholders(session, org.deal.id) == []


def test_stakeholder_input_is_checked(session, org):
    with pytest.raises(ValidationError, match="one of the two"):
        StakeholderIn(role="champion")
    stranger = factories.contact(session, actor=org.ae, account_id=factories.account(session).id)
    with pytest.raises(InvalidInput) as other_account:
        stakeholders.add_stakeholder(
            session,
            actor=org.ae,
            deal=org.deal,
            data=StakeholderIn(contact_id=stranger.id, role="influencer"),
        )
    assert other_account.value.field == "contact_id"
    viewer = factories.user(session, role=Role.VIEWER, password=None)
    with pytest.raises(PermissionDenied):
        factories.stakeholder(session, actor=viewer, deal=org.deal)
    with pytest.raises(PermissionDenied):
        factories.stakeholder(session, actor=org.other_ae, deal=org.deal)


@pytest.mark.parametrize(
    ("ses", "aes", "text"),
    [(1, 3, "1:3"), (2, 1, "2:1"), (2, 2, "1:1"), (2, 5, "1:2.5"), (0, 4, "0:4"), (0, 0, "—")],
)
def test_ratio_text(ses, aes, text):
    assert pods.ratio_text(ses, aes) == text


def test_one_se_covers_several_aes_and_an_ae_has_one_pod(session, org):
    pod = factories.pod(session, aes=[org.other_ae], ses=[org.se], team_id=org.team.id)
    assert pods.pod_counts(pod).ratio == "1:1"
    with pytest.raises(Conflict) as caught:
        factories.pod(session, aes=[org.ae], ses=[org.other_se])
    assert caught.value.field == "members"
    with pytest.raises(InvalidInput, match="not a solutions engineer"):
        factories.pod(session, aes=[], ses=[org.other_ae])
    coverage = {c.team.name: c for c in pods.team_coverage(session)}["Enterprise East"]
    assert (coverage.se_count, coverage.ae_count, coverage.ratio) == (2, 2, "1:1")
    assert {p.name for p in coverage.pods} >= {"Alex + Priya", pod.name}


def test_pods_and_profiles_are_managed_by_the_teams_manager(session, org):
    data = PodIn(
        name="Jordan + Lukas",
        team_id=org.team.id,
        members=[
            PodMemberIn(user_id=org.other_ae.id, side=PodSide.AE),
            PodMemberIn(user_id=org.other_se.id, side=PodSide.SE),
        ],
    )
    with pytest.raises(PermissionDenied):
        pods.create_pod(session, actor=org.ae, data=data)
    pod = pods.create_pod(session, actor=org.manager, data=data)
    renamed = pods.update_pod(
        session,
        actor=org.manager,
        pod=pod,
        data=data.model_copy(update={"name": "Jordan & Lukas", "version": pod.version}),
    )
    assert renamed.name == "Jordan & Lukas"
    assert renamed.version == 2
    with pytest.raises(Conflict):
        pods.update_pod(
            session, actor=org.manager, pod=renamed, data=data.model_copy(update={"version": 1})
        )
    profile = pods.save_profile(
        session,
        actor=org.manager,
        user_id=org.other_se.id,
        data=SEProfileIn(skills=["POC", " poc ", "Security_Review"], territories=["EMEA"]),
    )
    assert profile.skills == ["poc", "security_review"]
    with pytest.raises(PermissionDenied):
        pods.save_profile(session, actor=org.se, user_id=org.se.id, data=SEProfileIn())
    with pytest.raises(ValidationError):
        SEProfileIn(weekly_capacity_hours=0)
