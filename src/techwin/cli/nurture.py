"""`techwin nurture …` and `techwin tasks …`: the daily nurture run and people's tasks."""

from __future__ import annotations

from typing import Annotated

import typer

from techwin.auth import service as auth_service
from techwin.cli.context import open_engine, unit_of_work
from techwin.cli.output import print_json, print_success, print_table
from techwin.errors import NotFound
from techwin.scoring.nurture import service
from techwin.scoring.nurture.enums import TaskStatus

app = typer.Typer(help="Nurture leads by tier: owner tasks and sequences.", no_args_is_help=True)
tasks_app = typer.Typer(help="People's tasks from nurturing.", no_args_is_help=True)


@app.command("run")
def run(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Tier every lead and turn due sequence steps into tasks (schedule it daily)."""
    with open_engine() as engine, unit_of_work(engine) as session:
        report = service.run_nurture(session, actor=None)
    if as_json:
        print_json(report.model_dump())
        return
    print_table(
        "Leads per tier",
        ("Tier", "Leads"),
        [(k, v) for k, v in sorted(report.tiered.items(), key=lambda kv: kv[1], reverse=True)],
    )
    print_success(
        f"{report.owner_tasks} owner tasks for hot leads, {report.enrolled} new enrollments, "
        f"{report.step_tasks} sequence tasks, {report.completed} sequences completed."
    )


@tasks_app.command("list")
def list_tasks(
    email: Annotated[str, typer.Option(help="Whose tasks.")],
    status: Annotated[TaskStatus, typer.Option(help="Which tasks.")] = TaskStatus.OPEN,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """A person's tasks, soonest due first."""
    with open_engine() as engine, unit_of_work(engine) as session:
        user = auth_service.find_user_by_email(session, email)
        if user is None:
            raise NotFound(f"no user has the email {email}", field="email")
        rows: list[dict[str, str | int]] = [
            {
                "id": t.id,
                "due_at": t.due_at.isoformat(),
                "kind": t.kind,
                "title": t.title,
                "status": t.status.value,
            }
            for t in service.list_tasks(session, owner=user, status=status)
        ]
    if as_json:
        print_json(rows)
        return
    print_table(
        f"Tasks of {email}",
        ("ID", "Due", "Kind", "Title"),
        [(r["id"], str(r["due_at"])[:16], r["kind"], r["title"]) for r in rows],
    )
