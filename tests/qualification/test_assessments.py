"""Assessments, framework versions and qualification gates, through the API."""

from __future__ import annotations

import pytest

from techwin.auth.enums import Role
from techwin.pipeline.configuration import add_criterion
from techwin.pipeline.enums import GateSubject, LifecycleStage
from techwin.pipeline.schemas import CriterionIn
from techwin.qualification import assessments
from tests import factories


@pytest.fixture
def ae(api_as):
    return api_as(Role.AE)


@pytest.fixture
def lead(ae):
    return ae.post("/api/v1/contacts", json={"first_name": "Quinn", "last_name": "Q"}).json()


def rate(client, lead_id, element, score, evidence=None, framework="bant", kind="contacts"):
    body = {"element": element, "score": score}
    if evidence:
        body["evidence"] = evidence
    return client.post(f"/api/v1/{kind}/{lead_id}/qualification/{framework}/ratings", json=body)


def test_rating_shows_completeness_weakest_and_next_questions(ae, lead):
    empty = ae.get(f"/api/v1/contacts/{lead['id']}/qualification/bant").json()
    assert empty["completeness"] == 0
    assert len(empty["next_questions"]) == 3
    assert rate(ae, lead["id"], "budget", 2).status_code == 201
    response = rate(ae, lead["id"], "need", 3, evidence="call notes 12 Nov: outages cost 40k/month")
    assert response.status_code == 201, response.text
    view = response.json()
    assert view["completeness"] == 0.5
    assert view["weakest"] == ["authority", "timeline"]
    need = next(e for e in view["elements"] if e["key"] == "need")
    assert need["score_label"] == "Confirmed with evidence"
    assert need["evidence"].startswith("call notes")
    history = ae.get(f"/api/v1/contacts/{lead['id']}/qualification/bant/ratings").json()
    assert [h["element_key"] for h in history] == ["need", "budget"]


def test_bad_ratings_are_refused_and_change_nothing(ae, lead):
    out_of_scale = rate(ae, lead["id"], "budget", 5)
    assert out_of_scale.status_code == 422
    assert out_of_scale.json()["field"] == "score"
    unknown = rate(ae, lead["id"], "vibes", 2)
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "element"
    no_evidence = rate(ae, lead["id"], "budget", 3)
    assert no_evidence.status_code == 422
    assert no_evidence.json()["field"] == "evidence"
    unknown_framework = rate(ae, lead["id"], "budget", 2, framework="spiced")
    assert unknown_framework.status_code == 404
    assert unknown_framework.json()["field"] == "framework"
    assert ae.get(f"/api/v1/contacts/{lead['id']}/qualification/bant/ratings").json() == []


def test_only_people_who_may_edit_the_record_rate_it(api_as, ae, lead):
    assert rate(api_as(Role.VIEWER), lead["id"], "budget", 1).status_code == 403
    assert rate(api_as(Role.AE), lead["id"], "budget", 1).status_code == 403
    assert rate(api_as(Role.MANAGER), lead["id"], "budget", 1).status_code == 201


def test_editing_a_framework_makes_a_new_version_and_old_assessments_keep_theirs(api_as, ae, lead):
    admin = api_as(Role.ADMIN)
    rate(ae, lead["id"], "budget", 2)
    current = admin.get("/api/v1/frameworks/bant").json()
    spec = {
        "key": "bant",
        "name": "BANT+",
        "description": current["description"],
        "elements": [
            *[
                {k: e[k] for k in ("key", "name", "question", "validated_means")}
                for e in current["elements"]
            ],
            {
                "key": "risk",
                "name": "Risk",
                "question": "What could stop this deal?",
                "validated_means": "Named and owned.",
            },
        ],
    }
    assert ae.put("/api/v1/frameworks/bant", json=spec).status_code == 403
    edited = admin.put("/api/v1/frameworks/bant", json=spec)
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == current["version"] + 1
    old = ae.get(f"/api/v1/contacts/{lead['id']}/qualification/bant").json()
    assert old["framework_version"] == current["version"]
    assert [e["key"] for e in old["elements"]] == ["budget", "authority", "need", "timeline"]
    other = ae.post("/api/v1/contacts", json={"first_name": "New", "last_name": "Lead"}).json()
    fresh = ae.get(f"/api/v1/contacts/{other['id']}/qualification/bant").json()
    assert fresh["framework_version"] == current["version"] + 1
    assert fresh["elements"][-1]["key"] == "risk"
    versions = admin.get("/api/v1/frameworks", params={"include_old": True}).json()
    assert [f["version"] for f in versions if f["key"] == "bant"] == [
        current["version"],
        current["version"] + 1,
    ]


def test_admin_adds_a_custom_framework(api_as):
    admin = api_as(Role.ADMIN)
    spec = {
        "key": "spiced",
        "name": "SPICED",
        "elements": [
            {
                "key": "situation",
                "name": "Situation",
                "question": "What is their setup?",
                "validated_means": "Described.",
            },
            {
                "key": "pain",
                "name": "Pain",
                "question": "What hurts?",
                "validated_means": "Quantified.",
            },
        ],
    }
    created = admin.post("/api/v1/frameworks", json=spec)
    assert created.status_code == 201
    assert admin.post("/api/v1/frameworks", json=spec).status_code == 409
    assert "spiced" in [f["key"] for f in admin.get("/api/v1/frameworks").json()]


def test_gate_config_with_unknown_element_is_refused(api_as):
    admin = api_as(Role.ADMIN)
    body = {
        "key": "bant_ok",
        "label": "BANT",
        "lifecycle_stage": "sal",
        "kind": "qualification",
        "config": {"framework": "bant", "elements": ["budget", "mood"]},
    }
    response = admin.post("/api/v1/pipelines/criteria", json=body)
    assert response.status_code == 422
    assert response.json()["field"] == "config.elements"
    assert "mood" in response.json()["detail"]


def test_qualification_gate_opens_when_every_element_is_validated(session):
    ae = factories.user(session, role=Role.AE)
    add_criterion(
        session,
        actor=None,
        data=CriterionIn(
            key="bant_all",
            label="BANT complete",
            lifecycle_stage=LifecycleStage.SAL,
            kind="qualification",
            config={"framework": "bant"},
        ),
    )
    from techwin.errors import RuleViolation
    from techwin.pipeline import contacts

    lead = factories.contact(session, actor=ae)
    for stage in (LifecycleStage.MQL, LifecycleStage.SAL):
        contacts.transition_contact(session, actor=ae, contact=lead, to_stage=stage)
    for element in ("budget", "authority", "need"):
        assessments.rate(
            session,
            actor=ae,
            subject=GateSubject.CONTACT,
            subject_id=lead.id,
            framework_key="bant",
            element=element,
            score=2,
        )
    with pytest.raises(RuleViolation) as info:
        contacts.transition_contact(session, actor=ae, contact=lead, to_stage=LifecycleStage.SQL)
    assert info.value.extra["unmet"][0]["hint"] == "rate Timeline as validated"
    assessments.rate(
        session,
        actor=ae,
        subject=GateSubject.CONTACT,
        subject_id=lead.id,
        framework_key="bant",
        element="timeline",
        score=3,
        evidence="launch on 1 March",
    )
    contacts.transition_contact(session, actor=ae, contact=lead, to_stage=LifecycleStage.SQL)
    assert lead.lifecycle_stage is LifecycleStage.SQL


def test_role_checked_gate_ignores_ratings_by_other_roles(session):
    from techwin.errors import RuleViolation
    from techwin.pipeline import opportunities
    from techwin.pipeline.schemas import MoveIn

    ae = factories.user(session, role=Role.AE)
    se = factories.user(session, role=Role.SE)
    add_criterion(
        session,
        actor=None,
        data=CriterionIn(
            key="pain_by_se",
            label="Pain validated by the SE",
            stage="discovery",
            kind="qualification",
            config={
                "framework": "meddpicc",
                "elements": ["identify_pain"],
                "rated_by_roles": ["se"],
            },
        ),
    )
    deal = factories.opportunity(session, actor=ae, se_ids=[se.id])
    from tests.pipeline.test_opportunities import tick_all

    tick_all(session, ae, deal, "discovery")
    assessments.rate(
        session,
        actor=ae,
        subject=GateSubject.OPPORTUNITY,
        subject_id=deal.id,
        framework_key="meddpicc",
        element="identify_pain",
        score=3,
        evidence="AE notes",
    )
    with pytest.raises(RuleViolation) as info:
        opportunities.move_opportunity(
            session, actor=ae, opportunity=deal, data=MoveIn(stage="technical_validation")
        )
    assert "by SE" in info.value.extra["unmet"][0]["hint"]
    assessments.rate(
        session,
        actor=se,
        subject=GateSubject.OPPORTUNITY,
        subject_id=deal.id,
        framework_key="meddpicc",
        element="identify_pain",
        score=2,
    )
    opportunities.move_opportunity(
        session, actor=ae, opportunity=deal, data=MoveIn(stage="technical_validation")
    )
    assert deal.stage.key == "technical_validation"
