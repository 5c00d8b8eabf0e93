"""`techwin users …`: the people who sign in."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from techwin.auth import service as auth_service
from techwin.auth.enums import Role, SELevel
from techwin.auth.schemas import TeamCreate, UserCreate
from techwin.cli.context import open_engine, unit_of_work
from techwin.cli.errors import validated
from techwin.cli.output import print_json, print_note, print_success, print_table
from techwin.errors import NotFound

app = typer.Typer(
    help="Create and list the people who sign in to Techwin.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

# Schema field → the option an operator typed, so errors name what they can fix.
OPTION_NAMES = {
    "full_name": "name",
    "se_level": "level",
    "team_id": "team",
    "manager_id": "manager_email",
}


@app.command("create")
def create(
    email: Annotated[str, typer.Option(help="Sign-in email address (unique).")],
    name: Annotated[str, typer.Option(help="Full name as colleagues see it.")],
    role: Annotated[
        Role,
        typer.Option(
            case_sensitive=False,
            help="What the person does: admin, manager, se, ae, pm or viewer.",
        ),
    ],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="Password of at least 8 characters; asked for (hidden) when omitted.",
            show_default=False,
        ),
    ],
    team: Annotated[
        str | None,
        typer.Option(help="Team name; a team that does not exist yet is created."),
    ] = None,
    manager_email: Annotated[
        str | None, typer.Option(help="Email of the person they report to.")
    ] = None,
    level: Annotated[
        SELevel | None,
        typer.Option(
            case_sensitive=False,
            help="Career level: associate, senior, principal (SEs), manager or director.",
        ),
    ] = None,
    title: Annotated[str | None, typer.Option(help="Job title, e.g. 'Senior SE'.")] = None,
) -> None:
    """Add a person (as the operator: no signed-in admin is needed)."""
    with open_engine() as engine, unit_of_work(engine) as session:
        team_id: int | None = None
        created_team = False
        if team is not None and team.strip():
            existing = {t.name: t for t in auth_service.list_teams(session)}
            found = existing.get(team.strip())
            if found is None:
                found = auth_service.create_team(
                    session, actor=None, data=validated(TeamCreate, {"name": team}, aliases={})
                )
                created_team = True
            team_id = found.id
        manager_id: int | None = None
        if manager_email:
            manager = auth_service.find_user_by_email(session, manager_email)
            if manager is None:
                raise NotFound(f"no user has the email {manager_email}", field="manager_email")
            manager_id = manager.id
        data = validated(
            UserCreate,
            {
                "email": email,
                "full_name": name,
                "role": role,
                "password": password,
                "team_id": team_id,
                "manager_id": manager_id,
                "se_level": level,
                "title": title,
            },
            aliases=OPTION_NAMES,
        )
        user = auth_service.create_user(session, actor=None, data=data)
        summary = f"Created {user.email} ({user.role.value}) with id {user.id}."
    print_success(summary)
    if created_team:
        print_note(f"Created the team '{team}'.")


@app.command("list")
def list_users(
    role: Annotated[
        Role | None, typer.Option(case_sensitive=False, help="Only people with this role.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (a list of objects) instead of a table.")
    ] = False,
) -> None:
    """List people by name, with role, level, team and manager."""
    with open_engine() as engine, unit_of_work(engine) as session:
        everyone = auth_service.list_users(session)
        teams = {t.id: t.name for t in auth_service.list_teams(session)}
        emails = {u.id: u.email for u in everyone}
        names = {u.id: u.full_name for u in everyone}
        rows: list[dict[str, Any]] = [
            {
                "id": u.id,
                "email": u.email,
                "full_name": u.full_name,
                "role": u.role.value,
                "se_level": u.se_level.value if u.se_level else None,
                "title": u.title,
                "team": teams.get(u.team_id) if u.team_id else None,
                "manager_email": emails.get(u.manager_id) if u.manager_id else None,
                "manager_name": names.get(u.manager_id) if u.manager_id else None,
                "is_active": u.is_active,
            }
            for u in everyone
            if role is None or u.role is role
        ]
    if as_json:
        print_json(rows)
        return
    print_table(
        f"{len(rows)} people",
        ("ID", "Email", "Name", "Role", "Level", "Team", "Manager"),
        [
            (
                r["id"],
                r["email"],
                r["full_name"] + ("" if r["is_active"] else " (inactive)"),
                r["role"],
                r["se_level"],
                r["team"],
                r["manager_name"],
            )
            for r in rows
        ],
    )
