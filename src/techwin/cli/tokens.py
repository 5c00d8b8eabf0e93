"""`techwin tokens …`: personal API tokens."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text
from sqlalchemy.orm import Session

from techwin.auth import service as auth_service
from techwin.auth.models import User
from techwin.cli.context import open_engine, unit_of_work
from techwin.cli.output import console, print_json, print_note, print_table
from techwin.errors import InvalidInput, NotFound

app = typer.Typer(
    help="Issue and list personal API tokens.", no_args_is_help=True, rich_markup_mode="markdown"
)


def _user(session: Session, email: str) -> User:
    user = auth_service.find_user_by_email(session, email)
    if user is None:
        raise NotFound(f"no user has the email {email}", field="email")
    return user


@app.command("create")
def create(
    email: Annotated[str, typer.Option(help="Email of the person the token acts as.")],
    name: Annotated[
        str, typer.Option(help="A label to recognise the token by, e.g. 'crm-sync'.")
    ] = "cli",
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the token (for scripts).")
    ] = False,
) -> None:
    """Issue a personal API token; the secret is printed once and never stored."""
    if not name.strip() or len(name) > 80:
        raise InvalidInput("give a label of 1 to 80 characters", field="name")
    with open_engine() as engine, unit_of_work(engine) as session:
        user = _user(session, email)
        secret, token = auth_service.create_api_token(
            session, actor=None, user=user, name=name.strip()
        )
        label = f"Token '{token.name}' for {user.email} (prefix {token.prefix}):"
    if quiet:
        typer.echo(secret)
        return
    console.print(label, soft_wrap=True)
    console.print(Text(secret, style="bold"), soft_wrap=True)
    print_note(
        "This token is shown only once: store it now. "
        "Send it as the header 'Authorization: Bearer <token>'."
    )


@app.command("list")
def list_tokens(
    email: Annotated[str, typer.Option(help="Email of the person whose tokens to list.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (a list of objects) instead of a table.")
    ] = False,
) -> None:
    """List a person's tokens (newest first); secrets are never shown again."""
    with open_engine() as engine, unit_of_work(engine) as session:
        user = _user(session, email)
        rows = [
            {
                "id": t.id,
                "name": t.name,
                "prefix": t.prefix,
                "created_at": t.created_at.isoformat(),
                "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            }
            for t in auth_service.list_api_tokens(session, user=user)
        ]
    if as_json:
        print_json(rows)
        return
    print_table(
        f"Tokens of {email}",
        ("ID", "Name", "Prefix", "Created", "Last used", "Revoked"),
        [
            (r["id"], r["name"], r["prefix"], r["created_at"], r["last_used_at"], r["revoked_at"])
            for r in rows
        ],
    )
