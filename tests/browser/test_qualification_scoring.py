"""Qualification, scoring and nurturing in a real browser against a real server:
an AE meets the SQL gate, rates BANT until it opens (a top rating without evidence is refused
beside its element), reads the lead's score and its reasons, records a demo request, and works
their nurture tasks; an admin trains the predictive model in the UI, reads its evaluation charts,
scores every contact, and edits the scoring rules. Screenshots go to test-artifacts/scoring/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from techwin.auth import service as auth_service
from techwin.auth.enums import Role
from techwin.auth.schemas import UserCreate
from techwin.core.time import utcnow
from techwin.pipeline import accounts, contacts
from techwin.pipeline.enums import LifecycleStage, Seniority
from techwin.pipeline.models import Contact
from techwin.pipeline.schemas import AccountIn, ContactIn
from techwin.scoring.nurture import service as nurture
from tests.browser.support import running_server, sign_in
from tests.scoring.test_predictive import make_history

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
AE = "alex.morgan@example.com"
ADMIN = "admin@example.com"


def _seed(session: Session) -> None:
    """People, a lead waiting at SAL, two leads in a sequence, and a year of history to learn."""
    people = {}
    for email, name, role in (
        (ADMIN, "Morgan Admin", Role.ADMIN),
        (AE, "Alex Morgan", Role.AE),
        ("priya.shah@example.com", "Priya Shah", Role.SE),
    ):
        people[email] = auth_service.create_user(
            session,
            actor=None,
            data=UserCreate(email=email, full_name=name, role=role, password=PASSWORD),
        )
    alex = people[AE]
    account = accounts.create_account(
        session,
        actor=alex,
        data=AccountIn(
            name="Initech",
            domain="initech.example",
            industry="Software",
            employee_count=1200,
            region="North America",
        ),
    )

    def lead(first: str, last: str, title: str, seniority: Seniority, source: str) -> Contact:
        return contacts.create_contact(
            session,
            actor=alex,
            data=ContactIn(
                first_name=first,
                last_name=last,
                email=f"{first.lower()}@initech.example",
                title=title,
                seniority=seniority,
                source=source,
                account_id=account.id,
            ),
        )

    hank = lead("Hank", "Hill", "VP Engineering", Seniority.VP, "demo request")
    for stage in (LifecycleStage.MQL, LifecycleStage.SAL):
        contacts.transition_contact(session, actor=alex, contact=hank, to_stage=stage)
    peggy = lead("Peggy", "Hill", "Platform Lead", Seniority.MANAGER, "webinar")
    dale = lead("Dale", "Gribble", "Data Engineer", Seniority.IC, "website")
    week_ago = utcnow() - timedelta(days=6)
    nurture.enroll(session, actor=alex, contact=peggy, sequence_key="warm_welcome", now=week_ago)
    nurture.advance_due(session)  # the second step fell due two days ago
    nurture.enroll(session, actor=alex, contact=dale, sequence_key="warm_welcome")
    make_history(session, n=1200)


def _rate(page, element: str, level: int, evidence: str | None = None) -> None:
    item = page.locator(f"#qe-{element}")
    item.locator(f".seg-opt.lvl-{level}").click()
    if evidence is not None:
        item.locator("input[name=evidence]").fill(evidence)
    with page.expect_response(re.compile(r"/qualification/bant")):
        item.locator("button:has-text('Save')").click()


def test_qualify_score_nurture_and_train(tmp_path, new_page, artifacts_dir):
    shot = artifacts_dir / "scoring"
    shot.mkdir(exist_ok=True)
    with running_server(tmp_path, _seed) as base:
        page, errors = new_page()
        sign_in(page, base, AE, PASSWORD)
        assert page.inner_text("#nav-tasks-count") == "3"  # due today or overdue

        # The lead waits at Sales accepted; its page says what the next gate wants.
        page.goto(f"{base}/leads?q=hank")
        page.click("#results a.row-link:has-text('Hank Hill')")
        page.wait_for_url(re.compile(r"/leads/\d+$"))
        lead_url = page.url
        gate = page.inner_text("#lead-gate")
        assert "To move to Sales qualified" in gate
        assert "rate Budget, Authority, Need, Timeline as validated" in gate

        # Moving on anyway is refused, with the hint.
        page.click("button:has-text('Move to Sales qualified')")
        refused = page.locator("#move-refused").inner_text()
        assert "BANT complete (every element validated)" in refused
        assert "rate Budget, Authority, Need, Timeline as validated" in refused
        page.screenshot(path=shot / "01-lead-sql-refused.png")

        # Rate BANT in the panel: the gate's hint shrinks as elements are validated.
        page.goto(lead_url)
        _rate(page, "budget", 2)
        page.locator('#qe-budget[data-score="2"]').wait_for()
        assert "rate Authority, Need, Timeline as validated" in page.inner_text("#lead-gate")
        assert "Budget rated validated." in page.inner_text("#toasts")

        # Confirmed with evidence needs the evidence: refused beside Authority, nothing stored.
        _rate(page, "authority", 3)
        error = page.locator("#qe-authority-evidence-error")
        assert "a score of 3 needs evidence" in error.inner_text()
        assert page.get_attribute("#qe-authority", "data-score") == "0"
        assert page.locator("#qe-authority .seg-opt.lvl-3 input").is_checked()  # kept as chosen
        page.locator("#qe-authority").scroll_into_view_if_needed()
        page.screenshot(path=shot / "02-rating-needs-evidence.png")
        _rate(page, "authority", 3, evidence="https://wiki.example/initech/org-chart")
        page.locator('#qe-authority[data-score="3"]').wait_for()
        assert "org-chart" in page.inner_text("#qe-authority .qual-evidence")

        _rate(page, "need", 2, evidence="Release cycle takes six weeks; they want two")
        page.locator('#qe-need[data-score="2"]').wait_for()
        _rate(page, "timeline", 1)
        page.locator('#qe-timeline[data-score="1"]').wait_for()
        assert "rate Timeline as validated" in page.inner_text("#lead-gate")
        assert "3 of 4" in page.inner_text("#qualification [data-validated]")
        assert "Timeline" in page.inner_text("#qualification .qual-next")
        _rate(page, "timeline", 2)
        page.locator('#qe-timeline[data-score="2"]').wait_for()
        assert "1 / 1 met" in page.inner_text("#lead-gate")
        assert "100%" in page.inner_text("#qualification [data-completeness]")

        # Who moved what, from what to what.
        page.click("#qualification .qual-history summary")
        history = page.inner_text("#qualification .rating-log")
        assert "Identified" in history
        assert "Alex Morgan" in history
        assert history.count("Timeline") == 2
        page.locator("#qualification").screenshot(path=shot / "03-bant-complete.png")

        # The gate opens.
        page.click("button:has-text('Move to Sales qualified')")
        page.wait_for_url(lead_url)
        assert "Sales qualified" in page.inner_text(".page-head h1")

        # The score and its reasons, which add up to it.
        score = page.locator("#score")
        total = float(score.locator("[data-score-total]").inner_text())
        points = [
            float(t.replace("−", "-").replace("+", ""))
            for t in score.locator("[data-reason] b").all_inner_texts()
        ]
        assert sum(points) == pytest.approx(total)
        assert "Executive buyer (VP or C-level)" in score.inner_text()
        assert "No engagement yet" in score.inner_text()

        # A demo request raises it (engagement), at once.
        page.select_option("#f-kind", "demo_request")
        page.fill("#f-detail", "Asked for a demo of the release dashboards")
        page.click("#engagement button:has-text('Record')")
        page.wait_for_url(re.compile(r"/leads/\d+"))
        assert "Demo request recorded; the score is now" in page.inner_text("#toasts")
        raised = float(page.inner_text("#score [data-score-total]"))
        assert raised == pytest.approx(total + 30)
        assert "Demo request" in page.inner_text("#score [data-reasons]")
        assert "Asked for a demo" in page.inner_text("#engagement .event-list")
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(300)
        page.screenshot(path=shot / "04-lead-scored.png", full_page=True)

        # An event in the future is refused beside its field, and nothing is stored.
        page.fill("#f-occurred_at", "2099-01-01T10:00")
        page.click("#engagement button:has-text('Record')")
        assert "cannot be in the future" in page.inner_text("#f-occurred_at-error")
        assert page.inner_text("#engagement [data-event-count]") == "1"

        # My tasks: drafted messages, overdue ones first; marking one done.
        page.click(".nav-item:has-text('My tasks')")
        page.wait_for_url(f"{base}/tasks")
        overdue = page.locator('[data-group="overdue"]')
        assert overdue.locator(".task").count() == 2
        assert "overdue" in overdue.locator("[data-due]").first.inner_text()
        assert page.locator('[data-group="today"] .task').count() == 1
        first = overdue.locator(".task").first
        first.locator(".task-draft summary").click()
        assert "Hi Peggy," in first.locator("[data-draft]").inner_text()
        page.screenshot(path=shot / "05-my-tasks.png", full_page=True)
        task_id = first.get_attribute("data-task")
        with page.expect_response(re.compile(rf"/tasks/{task_id}")):
            first.locator(".task-check").click()
        page.locator(f"#task-{task_id}.is-done").wait_for()
        assert page.inner_text("#nav-tasks-count") == "2"

        # The admin area is for admins.
        refused_page = page.goto(f"{base}/admin/scoring")
        assert refused_page is not None
        assert refused_page.status == 403
        assert page.locator(".nav-item:has-text('Scoring rules')").count() == 0

        # An admin trains a model in the UI and reads its evaluation.
        admin, admin_errors = new_page()
        sign_in(admin, base, ADMIN, PASSWORD)
        admin.click(".nav-item:has-text('Predictive model')")
        admin.wait_for_url(f"{base}/admin/predictive")
        assert "No model yet" in admin.inner_text(".col-main")
        admin.select_option("#f-target_stage", "sql")
        admin.check("input[name=exclude][value=department]")
        # Training takes a few seconds (the button says "Training…" meanwhile).
        admin.click("button:has-text('Train and activate')", no_wait_after=True)
        admin.wait_for_url(re.compile(r"/admin/predictive\?version=1"), timeout=60_000)
        assert "Model v1 trained and active" in admin.inner_text("#toasts")
        auc = float(admin.inner_text("#evaluation [data-auc]"))
        assert auc > 0.65
        calibration = admin.evaluate(
            "() => Chart.getChart('calibration-chart').data.datasets.map(d => d.data.length)"
        )
        assert calibration[1] == 2  # the diagonal
        assert calibration[0] >= 5
        deciles = admin.evaluate("() => Chart.getChart('lift-chart').data.datasets[0].data")
        assert len(deciles) == 10
        assert deciles[0] > 1 > deciles[-1]  # the best-scored decile converts above the average
        assert "Department" in admin.inner_text("#evaluation [data-skipped]") or (
            "Department" in admin.inner_text("#evaluation")
        )
        assert admin.locator('#versions [data-model="1"] .pill-ok').count() == 1
        admin.wait_for_timeout(300)
        admin.screenshot(path=shot / "06-model-evaluation.png", full_page=True)

        # Score every contact, and read the likelihood and its reasons on the lead.
        admin.click("button:has-text('Score all contacts')", no_wait_after=True)
        admin.wait_for_url(f"{base}/admin/predictive", timeout=60_000)
        assert re.search(r"Scored 1,20\d contacts", admin.inner_text("#toasts"))
        admin.goto(lead_url)
        likelihood = admin.locator("#likelihood")
        assert re.fullmatch(r"\d+(\.\d)?%", likelihood.locator("[data-likelihood]").inner_text())
        assert likelihood.locator("[data-why]").count() >= 1
        assert "Seniority: vp" in likelihood.inner_text()
        admin.locator(".col-side").screenshot(path=shot / "07-lead-likelihood.png")

        # Scoring rules: a wrong value is refused beside it; the fixed rule is listed.
        admin.goto(f"{base}/admin/scoring")
        admin.screenshot(path=shot / "08-scoring-rules.png", full_page=True)
        admin.click("a:has-text('Fit rule')")
        admin.fill("#f-label", "Large enterprise")
        admin.fill("#f-points", "12")
        admin.select_option("#f-field", "employee_count")
        admin.select_option("#f-operator", "between")
        admin.fill("#f-value", "big")
        admin.click("button:has-text('Add rule')")
        assert "'is between' needs two numbers" in admin.inner_text("#f-value-error")
        admin.screenshot(path=shot / "09-rule-error.png")
        admin.fill("#f-value", "5000, 20000")
        admin.click("button:has-text('Add rule')")
        admin.wait_for_url(f"{base}/admin/scoring")
        assert "Company size (employees) is between 5,000 and 20,000" in admin.inner_text(
            "#fit-rules"
        )

        # Frameworks and nurture, as configured.
        admin.click(".nav-item:has-text('Frameworks')")
        assert admin.locator(".fw-card").count() == 4
        admin.screenshot(path=shot / "10-frameworks.png", full_page=True)
        admin.click(".fw-card[data-framework=meddpicc]")
        admin.wait_for_url(f"{base}/admin/frameworks/meddpicc")
        admin.click("a:has-text('Edit (new version)')")
        admin.screenshot(path=shot / "11-framework-edit.png", full_page=True)
        admin.click(".nav-item:has-text('Nurture')")
        assert admin.locator(".tier-card").count() == 3
        admin.screenshot(path=shot / "12-nurture.png", full_page=True)

        assert errors == []
        assert admin_errors == []
