"""The predictive score learns real signal, reports honestly, and refuses what it cannot do."""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from techwin.auth.enums import Role
from techwin.core.time import utcnow
from techwin.errors import InvalidInput, InvalidState
from techwin.pipeline.enums import LifecycleStage, Seniority
from techwin.pipeline.models import Contact, LifecycleTransition
from techwin.scoring.enums import EventKind
from techwin.scoring.models import EngagementEvent, PredictiveScore
from techwin.scoring.predictive import service
from techwin.scoring.predictive.service import TrainingOptions
from tests import factories

N = 1600


def make_history(session, *, n=N, seed=3, signal=True):
    """Contacts created ~300 days ago whose chance of reaching SQL depends on seniority,
    source and early webinars (when ``signal``) — a known truth for the model to find."""
    rng = random.Random(seed)
    start = utcnow() - timedelta(days=300)
    contacts, outcomes = [], []
    for i in range(n):
        created = start + timedelta(hours=i)
        vp = rng.random() < 0.3
        demo = rng.random() < 0.3
        webinars = rng.choice([0, 0, 0, 1, 2, 3])
        logit = -2.0 + (1.6 * vp + 1.3 * demo + 0.7 * webinars if signal else 0)
        reached = rng.random() < 1 / (1 + math.exp(-logit))
        other_source = rng.choice(["website", "event", "content download"])
        contacts.append(
            {
                "first_name": "P",
                "last_name": f"{i}",
                "email": f"p{seed}-{i}@firm{i % 40}.example",
                "seniority": Seniority.VP if vp else Seniority.IC,
                "source": "demo request" if demo else other_source,
                "lifecycle_stage": LifecycleStage.SQL if reached else LifecycleStage.LEAD,
                "stage_entered_at": created,
                "furthest_rank": 3 if reached else 0,
                "created_at": created,
                "updated_at": created,
                "version": 1,
            }
        )
        outcomes.append((created, webinars, reached))
    session.execute(insert(Contact), contacts)
    ids = dict(
        session.execute(
            select(Contact.email, Contact.id).where(Contact.email.like(f"p{seed}-%"))
        ).all()
    )
    transitions, events = [], []
    for row, (created, webinars, reached) in zip(contacts, outcomes, strict=True):
        cid = ids[row["email"]]
        transitions.append(
            {
                "contact_id": cid,
                "from_stage": None,
                "to_stage": LifecycleStage.LEAD,
                "at": created,
                "reason": "created",
                "overridden": False,
            }
        )
        for w in range(webinars):
            events.append(
                {
                    "contact_id": cid,
                    "kind": EventKind.WEBINAR_ATTENDED,
                    "occurred_at": created + timedelta(days=1 + w),
                    "source": "import",
                    "created_at": created,
                }
            )
        if reached:
            transitions.append(
                {
                    "contact_id": cid,
                    "from_stage": LifecycleStage.SAL,
                    "to_stage": LifecycleStage.SQL,
                    "at": created + timedelta(days=30),
                    "reason": None,
                    "overridden": False,
                }
            )
    session.execute(insert(LifecycleTransition), transitions)
    if events:
        session.execute(insert(EngagementEvent), events)
    session.flush()


@pytest.fixture
def admin(session):
    return factories.user(session, role=Role.ADMIN, password=None)


def test_model_finds_the_signal_and_beats_any_single_feature(session, admin):
    make_history(session)
    model = service.train_model(session, actor=admin)
    report = model.report
    assert model.is_active
    assert report["auc"] > 0.7, report
    assert report["auc"] > report["best_single_feature_auc"], report
    assert 0 < report["brier"] < 0.25
    assert len(report["lift"]) == 10
    assert report["lift"][0]["lift"] > 1.5  # the top decile converts well above the base rate
    assert sum(b["count"] for b in report["calibration"]) == model.n_test
    assert model.algorithm in ("logistic_regression", "gradient_boosting")
    assert set(report["cv_auc"]) == {"logistic_regression", "gradient_boosting"}


def test_shuffled_labels_give_a_coin_flip(session, admin):
    make_history(session)
    model = service.train_model(session, actor=admin, shuffle_labels=True, activate=False)
    assert abs(model.report["auc"] - 0.5) < 0.08, model.report["auc"]


def test_scores_store_the_model_version_and_reasons_in_words(session, admin):
    make_history(session, n=800)
    model = service.train_model(session, actor=admin)
    ae = factories.user(session, role=Role.AE, password=None)
    hot = factories.contact(session, actor=ae, seniority=Seniority.VP, source="demo request")
    cold = factories.contact(session, actor=ae, seniority=Seniority.IC, source="website")
    assert service.predict_contacts(session, [hot.id, cold.id]) == 2
    hot_score = session.get(PredictiveScore, hot.id)
    cold_score = session.get(PredictiveScore, cold.id)
    assert hot_score.model_version == model.version
    assert hot_score.probability > cold_score.probability
    texts = [r["text"] for r in hot_score.reasons if r["effect"] > 0]
    assert any("VP" in t.upper() or "demo request" in t for t in texts), hot_score.reasons


def test_predict_all_streams_every_contact(session, admin):
    make_history(session, n=600)
    service.train_model(session, actor=admin)
    calls = []
    done = service.predict_all(session, batch_size=250, progress=lambda d, t: calls.append((d, t)))
    assert done >= 600
    assert len(calls) >= 3
    assert calls[-1][0] == calls[-1][1]


def test_too_few_examples_says_how_many_are_needed(session, admin):
    make_history(session, n=60)
    with pytest.raises(InvalidState, match=r"at least 50 contacts .* found \d+ and \d+"):
        service.train_model(session, actor=admin)


def test_scoring_without_an_active_model_is_refused(session):
    with pytest.raises(InvalidState, match="no predictive model is active"):
        service.predict_all(session)


def test_unknown_excluded_feature_is_refused(session, admin):
    with pytest.raises(InvalidInput) as info:
        service.train_model(session, actor=admin, options=TrainingOptions(exclude=("shoe_size",)))
    assert info.value.field == "exclude"


def test_only_admins_train(session):
    manager = factories.user(session, role=Role.MANAGER, password=None)
    from techwin.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        service.train_model(session, actor=manager)


def _with_custom_fields(session, seed=5):
    """Give the history's contacts two custom fields: a noisy 'tier' that tracks the outcome and
    a 'signed_order' flag that is the outcome itself (a leak, set only after conversion)."""
    from techwin.pipeline.enums import CustomFieldType
    from techwin.pipeline.models import CustomField

    rng = random.Random(seed)
    session.add_all(
        [
            CustomField(
                entity="contact", key="tier", label="Tier", field_type=CustomFieldType.CATEGORY
            ),
            CustomField(
                entity="contact",
                key="signed_order",
                label="Signed order",
                field_type=CustomFieldType.BOOLEAN,
            ),
            CustomField(  # dates are not features
                entity="contact", key="renewal", label="Renewal", field_type=CustomFieldType.DATE
            ),
        ]
    )
    for contact in session.scalars(select(Contact).order_by(Contact.id)):
        reached = contact.lifecycle_stage is LifecycleStage.SQL
        gold = rng.random() < (0.75 if reached else 0.25)
        contact.custom = {"tier": "gold" if gold else "silver", "signed_order": reached}
    session.flush()


def test_custom_fields_are_features_and_a_leaking_one_is_flagged(session, admin):
    make_history(session)
    _with_custom_fields(session)
    model = service.train_model(session, actor=admin)
    report = model.report
    assert {"contact.tier", "contact.signed_order"} <= set(report["features"])
    assert "contact.renewal" not in report["features"]
    assert report["single_feature_auc"]["contact.tier"] > 0.6
    assert any("contact.signed_order" in w for w in report["warnings"]), report["warnings"]

    honest = service.train_model(
        session, actor=admin, options=TrainingOptions(exclude=("contact.signed_order",))
    )
    assert "contact.signed_order" not in honest.report["features"]
    assert not honest.report["warnings"]
    assert honest.report["auc"] > 0.7
    service.predict_all(session)
    gold = session.scalar(
        select(PredictiveScore)
        .join(Contact, Contact.id == PredictiveScore.contact_id)
        .where(Contact.custom["tier"].as_string() == "gold")
        .order_by(PredictiveScore.probability.desc())
        .limit(1)
    )
    assert "Tier: gold" in [r["text"] for r in gold.reasons if r["effect"] > 0], gold.reasons


def test_an_imported_outcome_can_be_the_label(session, admin):
    make_history(session, n=400)
    rng = random.Random(9)
    contacts = list(session.scalars(select(Contact).order_by(Contact.id)))
    for contact in contacts[:300]:  # the rest have no recorded outcome and are not learnt from
        converted = rng.random() < (0.8 if contact.seniority is Seniority.VP else 0.2)
        contact.custom = {"outcome": converted}
    session.flush()
    model = service.train_model(session, actor=admin, options=TrainingOptions(use_outcome=True))
    assert model.target_stage == "outcome"
    assert model.n_train + model.n_test == 300
    assert model.report["single_feature_auc"]["seniority"] > 0.65
    assert "imported outcome" in model.target_phrase


def test_too_few_imported_outcomes_says_so(session, admin):
    make_history(session, n=100)
    for contact in session.scalars(select(Contact).limit(30)):
        contact.custom = {"outcome": True}
    session.flush()
    with pytest.raises(
        InvalidState, match=r"imported outcomes needs at least 50 .* found 30 and 0"
    ):
        service.train_model(session, actor=admin, options=TrainingOptions(use_outcome=True))


def test_the_api_trains_evaluates_activates_and_explains(api_as, session):
    make_history(session, n=800)
    session.commit()
    admin = api_as(Role.ADMIN)
    ae = api_as(Role.AE)
    assert ae.post("/api/v1/scoring/models", json={}).status_code == 403
    bad = admin.post("/api/v1/scoring/models", json={"exclude": ["shoe_size"]})
    assert (bad.status_code, bad.json()["field"]) == (422, "exclude")
    few = admin.post("/api/v1/scoring/models", json={"use_outcome": True})
    assert few.status_code == 409, few.text
    assert "imported outcomes needs at least 50" in few.json()["detail"]

    trained = admin.post("/api/v1/scoring/models", json={"target_stage": "sql", "activate": False})
    assert trained.status_code == 201, trained.text
    body = trained.json()
    assert body["is_active"] is False
    assert {"auc", "brier", "calibration", "lift", "warnings"} <= set(body["report"])
    assert ae.get(f"/api/v1/scoring/models/{body['version']}").json()["report"]["auc"] > 0.6
    refused = admin.post("/api/v1/scoring/predict")
    assert refused.status_code == 409  # nothing active yet
    assert admin.post(f"/api/v1/scoring/models/{body['version']}/activate").json()["is_active"]
    scored = admin.post("/api/v1/scoring/predict").json()
    assert scored == {"scored": 800, "model_version": body["version"]}
    contact_id = session.scalar(select(Contact.id).limit(1))
    likely = ae.get(f"/api/v1/contacts/{contact_id}/likelihood").json()
    assert likely["model_version"] == body["version"]
    assert 0 < likely["probability"] < 1
    assert all({"feature", "text", "effect"} <= set(r) for r in likely["reasons"])
    assert [m["version"] for m in ae.get("/api/v1/scoring/models").json()] == [body["version"]]
