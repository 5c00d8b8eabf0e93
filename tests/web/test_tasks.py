"""My tasks: nurture tasks grouped by when they are due, the navigation's count, marking done."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from techwin.auth.enums import Role
from techwin.core.time import utcnow
from techwin.scoring.nurture import service as nurture
from techwin.scoring.nurture.enums import TaskStatus
from techwin.scoring.nurture.models import Task
from tests import factories


def _tasks(session, owner):
    """Two overdue steps of a sequence and one due today, for ``owner``'s leads."""
    late = factories.contact(session, actor=owner, first_name="Peggy")
    nurture.enroll(
        session,
        actor=owner,
        contact=late,
        sequence_key="warm_welcome",
        now=utcnow() - timedelta(days=6),
    )
    nurture.advance_due(session)
    fresh = factories.contact(session, actor=owner, first_name="Dale")
    nurture.enroll(session, actor=owner, contact=fresh, sequence_key="warm_welcome")
    session.commit()
    return list(
        session.scalars(select(Task).where(Task.owner_id == owner.id).order_by(Task.due_at))
    )


def test_tasks_are_grouped_by_due_date_with_their_drafts(signed_in, session):
    browser = signed_in(Role.AE)
    tasks = _tasks(session, browser.user)
    assert len(tasks) == 3
    page = browser.get("/tasks").text
    assert re.search(r'id="nav-tasks-count"[^>]*>3<', page)
    overdue = page[page.index('data-group="overdue"') : page.index('data-group="today"')]
    assert overdue.count('class="task is-overdue"') == 2
    assert "6 days overdue" in overdue
    assert "Hi Peggy," in overdue  # the drafted message
    assert "Welcome email to Dale" in page[page.index('data-group="today"') :]


def test_marking_a_task_done_over_htmx(signed_in, session):
    browser = signed_in(Role.AE)
    task = _tasks(session, browser.user)[0]
    response = browser.htmx("POST", f"/tasks/{task.id}", f"task-{task.id}", {"status": "done"})
    assert response.status_code == 200
    assert f'class="task is-done" id="task-{task.id}"' in response.text
    assert re.search(r'id="nav-tasks-count"[^>]*hx-swap-oob="true">2<', response.text)
    session.expire_all()
    assert session.get(Task, task.id).status is TaskStatus.DONE
    done = browser.get("/tasks?show=done").text
    assert task.title in done
    assert task.title not in browser.get("/tasks").text
    reopened = browser.post(f"/tasks/{task.id}", {"status": "open"})
    assert reopened.status_code == 303
    assert "Task opened again." in browser.get("/tasks").text


def test_other_peoples_tasks_are_refused(signed_in, session, make_user):
    owner = make_user(Role.AE)
    task = _tasks(session, owner)[0]
    browser = signed_in(Role.AE)
    assert "all caught up" in browser.get("/tasks").text
    refused = browser.post(f"/tasks/{task.id}", {"status": "done"})
    assert refused.status_code == 403
    session.expire_all()
    assert session.get(Task, task.id).status is TaskStatus.OPEN


def test_a_bad_status_is_refused(signed_in, session):
    browser = signed_in(Role.AE)
    task = _tasks(session, browser.user)[0]
    bad = browser.post(f"/tasks/{task.id}", {"status": "finished"})
    assert bad.status_code == 422
    assert "status must be open or done" in bad.text
    session.expire_all()
    assert session.get(Task, task.id).status is TaskStatus.OPEN
