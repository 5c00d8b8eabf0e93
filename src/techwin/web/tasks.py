"""My tasks: the calls and drafted messages nurturing hands a lead's owner, by due date."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from techwin.deps import SessionDep, WebUser
from techwin.errors import InvalidInput
from techwin.pipeline import contacts
from techwin.scoring.nurture import service as nurture
from techwin.scoring.nurture.enums import TaskStatus
from techwin.scoring.queries import due_task_count
from techwin.web.forms import Filters
from techwin.web.rendering import is_htmx, redirect, render
from techwin.web.scoring_presenters import TASK_KIND_LABELS, days_overdue, task_groups
from techwin.web.security import FormDep, end_of_today

router = APIRouter()

SHOW = {"open": "Open", "done": "Done"}


@router.get("/tasks")
def task_list(request: Request, session: SessionDep, user: WebUser) -> Response:
    """Open tasks grouped into overdue, today, this week and later; or the ones done."""
    f = Filters(request.query_params)
    show = f.one_of("show", SHOW, "open")
    status = TaskStatus.OPEN if show == "open" else TaskStatus.DONE
    tasks = nurture.list_tasks(session, owner=user, status=status)
    context = {
        "show": show,
        "shows": SHOW,
        "tasks": tasks,
        "groups": task_groups(tasks) if show == "open" else [],
        "kinds": TASK_KIND_LABELS,
        "days_overdue": days_overdue,
    }
    return render(request, "tasks/index.html", context)


@router.post("/tasks/{task_id:id}")
def task_update(
    request: Request, task_id: int, session: SessionDep, user: WebUser, form: FormDep
) -> Response:
    """Mark a task done (or open again); HTMX gets the updated row and the new due count."""
    raw = str(form.get("status") or "")
    if raw not in (TaskStatus.OPEN.value, TaskStatus.DONE.value):
        raise InvalidInput("status must be open or done", field="status")
    task = nurture.set_task_status(session, actor=user, task_id=task_id, status=TaskStatus(raw))
    if not is_htmx(request):
        done = task.status is TaskStatus.DONE
        return redirect("/tasks", flash="Task done." if done else "Task opened again.")
    contact = contacts.get_contact(session, task.contact_id) if task.contact_id else None
    context = {
        "task": task,
        "contact": contact,
        "kinds": TASK_KIND_LABELS,
        "days_overdue": days_overdue,
        "due_tasks": due_task_count(session, owner_id=user.id, due_by=end_of_today()),
        "oob": True,
    }
    return render(request, "tasks/_task.html", context)
