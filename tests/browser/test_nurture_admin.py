"""Editing nurturing in a real browser against a real server: an admin raises the warm tier's
threshold (a threshold above the hot tier's is refused beside it first), adds a step to the
warm sequence, moves it, reads its preview, saves, and finds both changes after a reload; then
creates a sequence. Screenshots go to test-artifacts/nurture/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from techwin.auth import service as auth_service
from techwin.auth.enums import Role
from techwin.auth.schemas import UserCreate
from techwin.core.time import utcnow
from techwin.pipeline import contacts
from techwin.pipeline.schemas import ContactIn
from techwin.scoring.nurture import service as nurture
from tests.browser.support import running_server, sign_in

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
ADMIN = "admin@example.com"


def _seed(session: Session) -> None:
    """An admin, and a lead two steps into the warm sequence."""
    admin = auth_service.create_user(
        session,
        actor=None,
        data=UserCreate(email=ADMIN, full_name="Morgan Admin", role=Role.ADMIN, password=PASSWORD),
    )
    lead = contacts.create_contact(
        session,
        actor=admin,
        data=ContactIn(first_name="Peggy", last_name="Hill", email="peggy@initech.example"),
    )
    nurture.enroll(
        session,
        actor=admin,
        contact=lead,
        sequence_key="warm_welcome",
        now=utcnow() - timedelta(days=5),
    )


def test_admin_edits_tiers_and_a_sequence(tmp_path, new_page, artifacts_dir):
    shot = artifacts_dir / "nurture"
    shot.mkdir(exist_ok=True)
    with running_server(tmp_path, _seed) as base:
        page, errors = new_page()
        sign_in(page, base, ADMIN, PASSWORD)
        page.click(".nav-item:has-text('Nurture')")
        page.wait_for_url(f"{base}/admin/nurture")
        assert "1 contact in it now" in page.inner_text("#seq-warm_welcome")

        # Tiers: a warm threshold above the hot one is refused beside it; 45 is saved.
        page.click("a:has-text('Edit tiers')")
        page.wait_for_url(f"{base}/admin/nurture/tiers/edit")
        assert page.input_value("#f-tiers-1-key") == "warm"
        assert page.locator("#f-tiers-1-sequence").is_visible()
        assert not page.locator("#f-tiers-1-due_business_days").is_visible()  # not a call task
        page.fill("#f-tiers-1-min_score", "75")
        page.click("button:has-text('Save tiers')")
        assert "Warm must start below Hot (70)" in page.inner_text("#f-tiers-1-min_score-error")
        assert page.input_value("#f-tiers-1-min_score") == "75"  # what was typed is kept
        page.screenshot(path=shot / "01-tiers-refused.png", full_page=True)
        page.fill("#f-tiers-1-min_score", "45")
        page.click("button:has-text('Save tiers')")
        page.wait_for_url(f"{base}/admin/nurture")
        assert "Tiers saved" in page.inner_text("#toasts")
        assert "score ≥ 45" in page.inner_text('[data-tier="warm"]')

        # The warm sequence: add a step, move it above the last one, fill it, preview, save.
        page.click("#seq-warm_welcome a:has-text('Edit')")
        page.wait_for_url(f"{base}/admin/nurture/sequences/warm_welcome/edit")
        assert "1 contact is in this sequence now." in page.inner_text(".seq-running")
        assert "Hi Jordan," in page.inner_text('[data-row="0"] [data-preview]')
        page.click("button:has-text('Add a step')")
        page.locator('[data-row="4"]').wait_for()
        assert page.evaluate("document.activeElement.id") == "f-steps-4-title"
        page.select_option("#f-steps-4-kind", "case_study")
        page.fill("#f-steps-4-wait_days", "3")
        page.fill("#f-steps-4-title", "Send {{first_name}} the ROI calculator")
        page.fill(
            "#f-steps-4-template",
            "Hi {{first_name}},\n\nHere is the calculator {{company}} asked about.\n\n"
            "{{owner_name}}",
        )
        page.click("button[aria-label='Move step 5 up']")
        page.wait_for_selector("#f-steps-3-title[value^='Send']")
        assert page.input_value("#f-steps-3-title") == "Send {{first_name}} the ROI calculator"
        assert page.input_value("#f-steps-4-title").startswith("Call {{first_name}}")
        preview = page.inner_text('[data-row="3"] [data-preview]')
        assert "Send Jordan the ROI calculator" in preview
        assert "Northwind Traders asked about" in preview
        assert "Morgan Admin" in preview
        assert page.inner_text('[data-row="3"] [data-day]') == "Day 14"
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=shot / "02-sequence-edit.png")
        page.locator('[data-row="3"]').scroll_into_view_if_needed()
        page.screenshot(path=shot / "03-sequence-new-step.png")
        page.click("button:has-text('Save sequence')")
        page.wait_for_url(re.compile(r"/admin/nurture(#seq-warm_welcome)?$"))
        assert "saved with 5 steps. The contact in it continues" in page.inner_text("#toasts")

        # Both changes are there after a reload.
        page.reload()
        assert "score ≥ 45" in page.inner_text('[data-tier="warm"]')
        steps = page.locator("#seq-warm_welcome .seq-step")
        assert steps.count() == 5
        assert "Send {{first_name}} the ROI calculator" in steps.nth(3).inner_text()
        assert "Day 14" in steps.nth(3).inner_text()
        assert "Day 21" in steps.nth(4).inner_text()
        page.screenshot(path=shot / "04-nurture-after.png", full_page=True)
        page.goto(f"{base}/admin/nurture/tiers/edit")
        page.screenshot(path=shot / "05-tiers-edit.png", full_page=True)

        # A new sequence: a placeholder nobody can fill is refused beside its message.
        page.goto(f"{base}/admin/nurture")
        page.click("a:has-text('New sequence')")
        page.wait_for_url(f"{base}/admin/nurture/sequences/new")
        page.fill("#f-key", "trial_follow_up")
        page.fill("#f-name", "Trial follow-up")
        page.fill("#f-steps-0-title", "Welcome {{first_name}} to the trial")
        page.fill("#f-steps-0-template", "Hi {{nickname}},")
        page.click("button:has-text('Create sequence')")
        error = page.inner_text("#f-steps-0-template-error")
        assert "unknown placeholder {{nickname}}" in error
        page.screenshot(path=shot / "06-new-sequence-refused.png")
        page.fill("#f-steps-0-template", "Hi {{first_name}},")
        page.click("button:has-text('Create sequence')")
        page.wait_for_url(re.compile(r"/admin/nurture(#seq-trial_follow_up)?$"))
        assert "Welcome {{first_name}} to the trial" in page.inner_text("#seq-trial_follow_up")
        assert errors == []
