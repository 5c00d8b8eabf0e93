"""Charters: which one applies (pod override, team, default), new revisions that ask for
acknowledgement again, threshold checks against the frameworks, and who may edit."""

from __future__ import annotations

import pytest

from techwin.auth.enums import Role
from techwin.collaboration import charters
from techwin.collaboration.enums import RequestStatus
from techwin.collaboration.schemas import CharterEdit, CharterScopeIn
from techwin.errors import Conflict, InvalidInput, InvalidState, PermissionDenied
from tests import factories


def _edit(charter, **changes):
    spec = charters.spec_of(charter).model_dump()
    spec.update(changes)
    return CharterEdit.model_validate(spec)


def test_the_default_applies_until_the_team_and_then_the_pod_adopt_their_own(session, org):
    applied = charters.charter_for_deal(session, org.deal)
    assert applied.source == "default"
    assert applied.pod is not None
    assert applied.pod.id == org.pod.id
    team = charters.start_charter(
        session, actor=org.manager, scope=CharterScopeIn(team_id=org.team.id)
    )
    assert charters.charter_for_deal(session, org.deal).charter.id == team.id
    assert team.change_note == "adopted from organisation default revision 1"
    pod = charters.start_charter(
        session, actor=org.manager, scope=CharterScopeIn(pod_id=org.pod.id)
    )
    applied = charters.charter_for_deal(session, org.deal)
    assert (applied.source, applied.charter.id) == ("pod", pod.id)
    # Jordan's deals (no pod) follow the team's.
    jordans = factories.opportunity(session, actor=org.other_ae)
    assert charters.charter_for_deal(session, jordans).charter.id == team.id
    with pytest.raises(Conflict):
        charters.start_charter(
            session, actor=org.manager, scope=CharterScopeIn(team_id=org.team.id)
        )


def test_an_edit_publishes_a_new_revision_and_asks_for_acknowledgement_again(session, org):
    charter = charters.start_charter(
        session, actor=org.manager, scope=CharterScopeIn(team_id=org.team.id)
    )
    charters.acknowledge(session, actor=org.ae, charter=charter)
    charters.acknowledge(session, actor=org.ae, charter=charter)  # idempotent
    rows = {a.user.full_name: a.at for a in charters.acknowledgements(session, charter)}
    assert rows["Alex Morgan"] is not None
    assert rows["Priya Shah"] is None
    fresh = charters.edit_charter(
        session,
        actor=org.manager,
        charter=charter,
        data=_edit(charter, prep_lead_hours=48, change_note="two days' prep", based_on=1),
    )
    assert (fresh.revision, fresh.prep_lead_hours, fresh.is_current) == (2, 48, True)
    assert not charter.is_current
    assert all(a.at is None for a in charters.acknowledgements(session, fresh))
    with pytest.raises(InvalidState):
        charters.acknowledge(session, actor=org.se, charter=charter)  # the old revision
    with pytest.raises(Conflict) as stale:
        charters.edit_charter(
            session, actor=org.manager, charter=fresh, data=_edit(fresh, based_on=1)
        )
    assert stale.value.field == "based_on"
    assert [c.revision for c in charters.revisions(session, fresh)] == [2, 1]


def test_thresholds_must_name_known_frameworks_and_elements(session, org):
    charter = charters.start_charter(
        session, actor=org.manager, scope=CharterScopeIn(team_id=org.team.id)
    )
    bad = charter.thresholds[0] | {"elements": ["budget", "vibes"]}
    with pytest.raises(InvalidInput) as caught:
        charters.edit_charter(
            session,
            actor=org.manager,
            charter=charter,
            data=_edit(charter, thresholds=[bad, *charter.thresholds[1:]]),
        )
    assert caught.value.field == "thresholds.0.elements"
    assert "has no element 'vibes'" in caught.value.message
    assert charter.is_current  # nothing changed


def test_only_managers_edit_team_charters_and_only_admins_the_default(session, org):
    default = charters.default_charter(session)
    for actor in (org.ae, org.se, org.manager):
        with pytest.raises(PermissionDenied):
            charters.edit_charter(session, actor=actor, charter=default, data=_edit(default))
    with pytest.raises(PermissionDenied):
        charters.start_charter(session, actor=org.ae, scope=CharterScopeIn(team_id=org.team.id))
    other_team = factories.team(session, name="Mid-market")
    with pytest.raises(PermissionDenied, match="their own team"):
        charters.start_charter(
            session, actor=org.manager, scope=CharterScopeIn(team_id=other_team.id)
        )
    admin = factories.user(session, role=Role.ADMIN, password=None)
    fresh = charters.edit_charter(
        session, actor=admin, charter=default, data=_edit(default, rescue_phrase="Zoom out")
    )
    assert fresh.rescue_phrase == "Zoom out"


def test_a_stricter_pod_charter_blocks_what_the_default_lets_through(session, org):
    pod = charters.start_charter(
        session, actor=org.manager, scope=CharterScopeIn(pod_id=org.pod.id)
    )
    notice = {
        "key": "week_notice",
        "label": "A week's notice",
        "kind": "notice",
        "applies_to": ["standard_demo"],
        "min_days": 7,
    }
    charters.edit_charter(
        session,
        actor=org.manager,
        charter=pod,
        data=_edit(pod, thresholds=[*pod.thresholds, notice]),
    )
    from datetime import timedelta

    from techwin.core.time import utcnow

    soon = utcnow().date() + timedelta(days=2)
    blocked = factories.se_request(
        session, actor=org.ae, deal=org.deal, kind="standard_demo", needed_by=soon
    )
    assert blocked.status is RequestStatus.BLOCKED
    assert [v["key"] for v in blocked.unmet] == ["week_notice"]
    jordans = factories.opportunity(session, actor=org.other_ae)
    fine = factories.se_request(
        session, actor=org.other_ae, deal=jordans, kind="standard_demo", needed_by=soon
    )
    assert fine.status is RequestStatus.ACCEPTED


def _budget(session, deal):
    from techwin.collaboration.enums import RequestKind
    from techwin.collaboration.facts import check_request

    _charter, verdicts = check_request(session, deal, RequestKind.POC)
    return next(v for v in verdicts if v.key == "budget_confirmed")


def test_budget_confirmed_on_the_lead_carries_over_to_its_deal(session, org):
    from techwin.pipeline.enums import GateSubject
    from techwin.qualification import assessments

    lead = factories.contact(session, actor=org.ae)
    factories.qualify(session, actor=org.ae, contact=lead)  # BANT validated while a lead
    deal = factories.opportunity(session, actor=org.ae, contact_ids=[lead.id])
    other = factories.opportunity(session, actor=org.ae)
    assert _budget(session, deal).met
    assert not _budget(session, other).met  # no lead, no deal rating: budget unknown
    # The deal's own rating wins over the lead's.
    assessments.rate(
        session,
        actor=org.ae,
        subject=GateSubject.OPPORTUNITY,
        subject_id=deal.id,
        framework_key="bant",
        element="budget",
        score=1,
    )
    assert not _budget(session, deal).met
