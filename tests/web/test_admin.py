"""The admin area: only admins get in; scoring rules and settings with inline errors; frameworks
published as new versions; the predictive model trained, evaluated and activated; nurture."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from techwin.auth.enums import Role
from techwin.pipeline.enums import GateSubject
from techwin.qualification import assessments
from techwin.qualification.frameworks import current_framework
from techwin.qualification.models import Framework
from techwin.scoring import service as scoring
from techwin.scoring.models import PredictiveModel, ScoringRule
from tests import factories
from tests.scoring.test_predictive import make_history

ADMIN_PAGES = [
    "/admin/scoring",
    "/admin/scoring/rules/new",
    "/admin/frameworks",
    "/admin/frameworks/new",
    "/admin/frameworks/bant",
    "/admin/frameworks/bant/edit",
    "/admin/predictive",
    "/admin/nurture",
]


def _count(session, model):
    return session.scalar(select(func.count(model.id)))


@pytest.mark.parametrize("role", [Role.AE, Role.SE, Role.MANAGER, Role.VIEWER])
def test_admin_pages_are_refused_to_everyone_else(signed_in, session, role):
    browser = signed_in(role)
    home = browser.get("/").text
    assert "/admin/scoring" not in home  # no admin navigation either
    for path in ADMIN_PAGES:
        response = browser.get(path)
        assert response.status_code == 403, path
        assert "only an admin can open the admin area" in response.text
    rules = _count(session, ScoringRule)
    posted = browser.post("/admin/scoring/rules", {"label": "x", "category": "fit", "points": "1"})
    assert posted.status_code == 403
    assert browser.post("/admin/scoring/recompute").status_code == 403
    assert browser.post("/admin/predictive/train", {"target_stage": "sql"}).status_code == 403
    assert _count(session, ScoringRule) == rules


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_render_for_admins(signed_in, path):
    browser = signed_in(Role.ADMIN)
    response = browser.get(path)
    assert response.status_code == 200, response.text
    assert 'class="nav-heading nav-heading-gap">Admin' in response.text


FIT_RULE = {
    "label": "Large enterprise",
    "category": "fit",
    "points": "12",
    "field": "employee_count",
    "operator": "between",
    "value": "5000, 20000",
    "is_active": "true",
    "position": "0",
}


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"value": "big"}, "value", "&#39;is between&#39; needs two numbers"),
        ({"value": "20000, 5000"}, "value", "between needs low ≤ high"),
        ({"points": "lots"}, "points", "must be a number"),
        ({"points": "5000"}, "points", "points must be between -1000 and 1000"),
        ({"field": "shoe_size"}, "field", "unknown field &#39;shoe_size&#39;"),
        ({"field": "seniority"}, "operator", "seniority is a category field"),
        ({"label": " "}, "label", "this field is required"),
        ({"category": "engagement", "event_kind": ""}, "event_kind", "names an event kind"),
    ],
)
def test_a_bad_rule_is_explained_beside_its_input_and_not_saved(
    signed_in, session, change, field, reason
):
    browser = signed_in(Role.ADMIN)
    before = _count(session, ScoringRule)
    response = browser.post("/admin/scoring/rules", {**FIT_RULE, **change})
    assert response.status_code == 422, response.text
    error = re.search(rf'id="f-{field}-error">(.*?)</p>', response.text, re.S)
    assert error, f"no error beside {field}"
    assert reason in error.group(1)
    assert _count(session, ScoringRule) == before


def test_add_edit_and_delete_a_rule(signed_in, session):
    browser = signed_in(Role.ADMIN)
    created = browser.post("/admin/scoring/rules", FIT_RULE)
    assert created.status_code == 303, created.text
    rule = session.scalar(select(ScoringRule).where(ScoringRule.label == "Large enterprise"))
    assert rule.value == [5000, 20000]
    page = browser.get("/admin/scoring").text
    assert "Company size (employees) is between 5,000 and 20,000" in page
    assert "Rule “Large enterprise” saved." in page
    form = browser.get(f"/admin/scoring/rules/{rule.id}/edit").text
    assert 'value="5000, 20000"' in form
    assert 'value="12"' in form  # no needless ".0"
    edited = browser.post(
        f"/admin/scoring/rules/{rule.id}/edit",
        {**FIT_RULE, "operator": "gte", "value": "10,000", "points": "-4"},
    )
    assert edited.status_code == 303
    session.expire_all()
    rule = session.get(ScoringRule, rule.id)
    assert (rule.value, rule.points) == (10000, -4)
    engagement = browser.post(
        "/admin/scoring/rules",
        {
            "label": "Trial again",
            "category": "engagement",
            "points": "5",
            "event_kind": "trial_signup",
            "half_life_days": "",
            "max_points": "15",
            "field": "title",  # left over from the other kind's inputs: ignored
        },
    )
    assert engagement.status_code == 303, engagement.text
    trial = session.scalar(select(ScoringRule).where(ScoringRule.label == "Trial again"))
    assert (trial.field, trial.max_points, trial.is_active) == (None, 15, False)
    rule_id = rule.id
    deleted = browser.post(f"/admin/scoring/rules/{rule_id}/delete")
    assert deleted.status_code == 303
    session.expire_all()
    assert session.get(ScoringRule, rule_id) is None
    assert "Rule “Large enterprise” deleted." in browser.get("/admin/scoring").text


def test_a_rule_on_a_custom_field(signed_in, session):
    from techwin.pipeline.enums import CustomFieldType
    from techwin.pipeline.models import CustomField

    session.add(
        CustomField(entity="account", key="tier", label="Tier", field_type=CustomFieldType.CATEGORY)
    )
    session.add(
        CustomField(
            entity="contact",
            key="trial_user",
            label="Trial user",
            field_type=CustomFieldType.BOOLEAN,
        )
    )
    session.commit()
    browser = signed_in(Role.ADMIN)
    form = browser.get("/admin/scoring/rules/new").text
    assert '<option value="account.tier"' in form
    assert "Account · Tier" in form
    rule = {**FIT_RULE, "label": "Trialist", "field": "contact.trial_user", "operator": "equals"}
    bad = browser.post("/admin/scoring/rules", {**rule, "value": "perhaps"})
    assert bad.status_code == 422
    assert "a yes/no field takes yes or no" in bad.text
    assert browser.post("/admin/scoring/rules", {**rule, "value": "Yes"}).status_code == 303
    saved = session.scalar(select(ScoringRule).where(ScoringRule.label == "Trialist"))
    assert saved.value is True
    assert "Contact · Trial user is yes" in browser.get("/admin/scoring").text


def test_settings_and_recompute(signed_in, session):
    browser = signed_in(Role.ADMIN)
    lead = factories.contact(session, actor=browser.user)
    session.commit()
    bad = browser.post(
        "/admin/scoring/settings", {"mql_threshold": "-5", "default_half_life_days": "30"}
    )
    assert bad.status_code == 422
    assert re.search(r'id="f-mql_threshold-error">.*must be 0 or more', bad.text, re.S)
    off = browser.post(
        "/admin/scoring/settings", {"mql_threshold": "", "default_half_life_days": "21"}
    )
    assert off.status_code == 303
    session.expire_all()
    settings = scoring.scoring_settings(session)
    assert (settings.mql_threshold, settings.default_half_life_days) == (None, 21)
    recomputed = browser.post("/admin/scoring/recompute")
    assert recomputed.status_code == 303
    assert re.search(r"Re-scored [\d,]+ contacts", browser.get("/admin/scoring").text)
    assert scoring.score_of(session, lead.id) is not None


def _framework_form(**rows):
    data = {"key": "champ", "name": "CHAMP", "description": "Challenges first", "rows": "3"}
    for index, (key, name, question, means) in rows.items():
        i = int(index.removeprefix("r"))
        data.update(
            {
                f"elements-{i}-key": key,
                f"elements-{i}-name": name,
                f"elements-{i}-question": question,
                f"elements-{i}-validated_means": means,
            }
        )
    return data


def test_a_custom_framework_with_errors_on_its_rows(signed_in, session):
    browser = signed_in(Role.ADMIN)
    before = _count(session, Framework)
    bad = browser.post(
        "/admin/frameworks",
        _framework_form(
            r0=("challenges", "Challenges", "What stands in their way?", "They named two"),
            r1=("authority", "Authority", "?", "We met them"),
        ),
    )
    assert bad.status_code == 422
    assert re.search(r'id="f-elements-1-question-error">.*at least 5 characters', bad.text, re.S)
    assert 'value="challenges"' in bad.text
    assert _count(session, Framework) == before
    more = browser.post("/admin/frameworks", {**_framework_form(), "action": "add_row"})
    assert more.status_code == 200
    assert 'name="elements-3-key"' in more.text
    created = browser.post(
        "/admin/frameworks",
        _framework_form(
            r0=("challenges", "Challenges", "What stands in their way?", "They named two"),
            r2=("money", "Money", "Is there money for this?", "A budget line exists"),
        ),
    )
    assert created.status_code == 303, created.text
    assert created.headers["location"] == "/admin/frameworks/champ"
    page = browser.get("/admin/frameworks/champ").text
    assert "Created CHAMP version 1." in page
    assert "What stands in their way?" in page
    duplicate = browser.post(
        "/admin/frameworks",
        _framework_form(
            r0=("challenges", "Challenges", "What stands in their way?", "They named two"),
            r1=("money", "Money", "Is there money for this?", "A budget line exists"),
        ),
    )
    assert duplicate.status_code == 409
    assert "a framework with key &#39;champ&#39; exists" in duplicate.text


def test_editing_a_framework_publishes_a_version_and_assessments_keep_theirs(signed_in, session):
    browser = signed_in(Role.ADMIN)
    lead = factories.contact(session, actor=browser.user)
    assessments.rate(
        session,
        actor=browser.user,
        subject=GateSubject.CONTACT,
        subject_id=lead.id,
        framework_key="bant",
        element="budget",
        score=2,
    )
    session.commit()
    form = browser.get("/admin/frameworks/bant/edit").text
    values = {
        name: value
        for name, value in re.findall(r'name="(elements-\d+-\w+)"[^>]*value="([^"]*)"', form)
        if not name.endswith("-remove")  # a checkbox: ticked only when posted
    }
    values.update(dict(re.findall(r'name="(elements-\d+-\w+)"[^>]*>([^<]*)</textarea>', form)))
    rows = form.count('class="el-row" data-row=')
    data = {"name": "BANT", "description": "Edited", "rows": str(rows), **values}
    data["elements-3-remove"] = "true"  # timeline leaves the new version
    response = browser.post("/admin/frameworks/bant/edit", data)
    assert response.status_code == 303, response.text
    session.expire_all()
    current = current_framework(session, "bant")
    assert current.version == 2
    assert [e.key for e in current.elements] == ["budget", "authority", "need"]
    page = browser.get(response.headers["location"]).text
    assert "Published BANT version 2." in page
    lead_page = browser.get(f"/leads/{lead.id}").text
    assert 'id="qe-timeline"' in lead_page  # the lead's assessment is pinned to version 1


def test_training_without_enough_history_is_explained(signed_in, session):
    browser = signed_in(Role.ADMIN)
    refused = browser.post(
        "/admin/predictive/train", {"target_stage": "sql", "horizon_days": "180"}
    )
    assert refused.status_code == 409
    assert "training needs at least 50 contacts" in refused.text
    bad = browser.post(
        "/admin/predictive/train", {"target_stage": "churned", "horizon_days": "9999"}
    )
    assert bad.status_code == 422
    assert 'id="f-target_stage-error"' in bad.text
    assert re.search(r'id="f-horizon_days-error">.*30 to 730 days', bad.text, re.S)
    assert _count(session, PredictiveModel) == 0


def test_training_on_imported_outcomes_with_custom_fields(signed_in, session):
    from techwin.pipeline.enums import CustomFieldType
    from techwin.pipeline.models import Contact, CustomField

    make_history(session, n=400)
    session.add(
        CustomField(entity="account", key="tier", label="Tier", field_type=CustomFieldType.CATEGORY)
    )
    for i, contact in enumerate(session.scalars(select(Contact))):
        contact.custom = {"outcome": contact.seniority.value == "vp" or i % 7 == 0}
    session.commit()
    browser = signed_in(Role.ADMIN)
    page = browser.get("/admin/predictive").text
    assert 'value="outcome"' in page
    assert "the outcome column of an import" in page
    assert 'value="account.tier"' in page
    assert "Account · Tier" in page
    trained = browser.post(
        "/admin/predictive/train",
        {"target_stage": "outcome", "horizon_days": "180", "exclude": ["account.tier"]},
    )
    assert trained.status_code == 303, trained.text
    model = session.scalar(select(PredictiveModel))
    assert model.target_stage == "outcome"
    assert "account.tier" not in model.report["features"]
    shown = browser.get(trained.headers["location"]).text
    assert "convert, as the imported outcomes record it" in shown


def test_train_evaluate_and_activate_a_model(signed_in, session):
    browser = signed_in(Role.ADMIN)
    make_history(session, n=600)
    session.commit()
    trained = browser.post(
        "/admin/predictive/train",
        {"target_stage": "sql", "horizon_days": "180", "exclude": ["department", "region"]},
    )
    assert trained.status_code == 303, trained.text
    assert trained.headers["location"] == "/admin/predictive?version=1"
    page = browser.get(trained.headers["location"]).text
    assert "Model v1 trained and active" in page
    calibration = json.loads(
        re.search(r'id="calibration-data">(.*?)</script>', page, re.S).group(1)
    )
    assert [d["label"] for d in calibration["datasets"]] == ["Model", "Perfect calibration"]
    assert calibration["datasets"][1]["data"][0] == {"x": 0, "y": 0}
    lift = json.loads(re.search(r'id="lift-data">(.*?)</script>', page, re.S).group(1))
    assert lift["labels"] == [f"D{i}" for i in range(1, 11)]
    assert float(re.search(r"data-auc>([\d.]+)<", page).group(1)) > 0.6
    assert "Department, Region" in page  # excluded
    model = session.scalar(select(PredictiveModel))
    assert model.settings["exclude"] == ["department", "region"]
    scored = browser.post("/admin/predictive/score")
    assert scored.status_code == 303
    assert re.search(r"Scored [\d,]+ contacts", browser.get("/admin/predictive").text)


def test_warnings_skipped_fields_and_activation(signed_in, session):
    browser = signed_in(Role.ADMIN)
    report = {
        "auc": 0.99,
        "brier": 0.02,
        "base_rate": 0.3,
        "calibration": [{"predicted": 0.1, "observed": 0.12, "count": 40}],
        "lift": [{"decile": d, "count": 4, "rate": 0.3, "lift": 1.0} for d in range(1, 11)],
        "cv_auc": {"logistic_regression": 0.98},
        "single_feature_auc": {"source": 0.98, "seniority": 0.6},
        "best_single_feature_auc": 0.98,
        "warnings": ["'source' alone ranks contacts almost perfectly (AUC 0.98)"],
        "features": ["source", "seniority"],
        "skipped_features": ["region"],
        "positives": 60,
        "negatives": 140,
    }
    for version in (1, 2):
        session.add(
            PredictiveModel(
                version=version,
                target_stage="sql",
                algorithm="logistic_regression",
                is_active=version == 2,
                n_train=150,
                n_test=50,
                settings={"horizon_days": 180, "exclude": []},
                report=report,
                artifact=b"",
            )
        )
    session.commit()
    page = browser.get("/admin/predictive?version=1").text
    assert "Suspiciously predictive fields" in page
    assert "&#39;source&#39; alone ranks contacts almost perfectly" in page
    assert re.search(r"data-skipped>Region", page)
    assert 'data-version="1"' in page
    activated = browser.post("/admin/predictive/1/activate")
    assert activated.status_code == 303
    session.expire_all()
    active = session.scalars(select(PredictiveModel.version).where(PredictiveModel.is_active))
    assert list(active) == [1]
    assert browser.post("/admin/predictive/9/activate").status_code == 404


def test_nurture_page_and_run(signed_in, session):
    browser = signed_in(Role.ADMIN)
    factories.contact(session, actor=browser.user, source="demo request")
    session.commit()
    page = browser.get("/admin/nurture").text
    assert page.count('class="tier-card') == 3
    assert "Warm lead welcome" in page
    assert "Day 18" in page
    ran = browser.post("/admin/nurture/run")
    assert ran.status_code == 303
    assert re.search(r"Nurture run: .*tasks created", browser.get("/admin/nurture").text)
