"""`techwin demo`: fill the configured database with the demo organisation."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer

from techwin.auth.enums import Role, SELevel
from techwin.bootstrap import prepare_database
from techwin.cli.context import open_engine, unit_of_work
from techwin.cli.output import print_note, print_success, print_table, progress_reporter
from techwin.config import get_settings
from techwin.core.time import utcnow
from techwin.demo import (
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    DemoLogin,
    Scale,
    count_users,
    demo_logins,
    empty_database,
    generate,
)
from techwin.errors import Conflict, InvalidInput, NotFound

SIGN_IN_HINT = "Open http://127.0.0.1:8000 and sign in"


class DemoScale(StrEnum):
    """How big the demo organisation is."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


def demo(
    scale: Annotated[
        DemoScale,
        typer.Option(
            help="small: ~500 contacts, 20 people (tests); medium: ~50,000 contacts, 71 people "
            "(the demo); large: ~1,000,000 contacts, ~100,000 deals, 1,664 people in 60 teams "
            "(capacity and performance work: several minutes and a few GB of disk)."
        ),
    ] = DemoScale.MEDIUM,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 42,
    today: Annotated[
        str | None,
        typer.Option(
            help="Date the history ends at (YYYY-MM-DD); default: today (UTC).",
            show_default=False,
        ),
    ] = None,
    reset: Annotated[
        bool,
        typer.Option(
            "--reset",
            help="Empty every table first (all data is lost), then re-seed the playbook.",
        ),
    ] = False,
    logins: Annotated[
        bool,
        typer.Option(
            "--logins",
            help="Only print the sign-ins of an existing demo database; generate nothing.",
        ),
    ] = False,
    with_model: Annotated[
        bool,
        typer.Option(
            "--with-model",
            help="Also train and activate the predictive lead score on the demo's history and "
            "score every contact with it (adds about half a minute at medium scale; the small "
            "scale has too little history to learn from).",
        ),
    ] = False,
) -> None:
    """Generate a believable presales organisation into the configured database.

    Upgrades the schema if needed, then creates people and teams, accounts, ~2 years of lead
    histories with engagement events, BANT and MEDDPICC qualification that meets every gate,
    and deals; scores every contact and runs today's nurturing so owners have tasks. Prints who
    you can sign in as. The database must hold no people yet (use --reset to replace
    everything). It does not start the server: run `techwin serve`.
    """
    settings = get_settings()
    if logins:
        with open_engine(settings, require_head=True) as engine, unit_of_work(engine) as session:
            found = demo_logins(session)
        if not found:
            raise NotFound(
                "this database holds no demo organisation; run `techwin demo` to create one",
                field="database",
            )
        _print_logins(found)
        return
    day = _parse_day(today)
    with open_engine(settings, require_head=False) as engine:
        prepare_database(settings.database_url, engine)
        with unit_of_work(engine) as session:
            people = count_users(session)
        if people and not reset:
            raise Conflict(
                f"the database already holds {people} people; the demo needs an empty one "
                "(add --reset to delete everything in it first)",
                field="database",
            )
        started = time.perf_counter()
        with unit_of_work(engine) as session, progress_reporter() as report:
            if reset:
                report("Emptying the database", 0, 1)
                empty_database(session)
                report("Emptying the database", 1, 1)
            summary = generate(
                session,
                scale=_scale(scale),
                seed=seed,
                today=day,
                progress=report,
                with_model=with_model,
            )
        elapsed = time.perf_counter() - started
    rows = summary.rows
    print_success(
        f"Demo organisation ready ({summary.scale}, seed {summary.seed}, history up to "
        f"{summary.today.isoformat()}): {rows['user']} people, {rows['account']:,} accounts, "
        f"{rows['contact']:,} contacts, {rows['opportunity']:,} deals in {elapsed:.1f} s."
    )
    print_note(
        f"{rows['engagement_event']:,} engagement events, "
        f"{rows['qualification_rating']:,} qualification ratings, "
        f"{rows['lead_score']:,} lead scores; nurturing: {rows['task']:,} open tasks, "
        f"{rows['nurture_enrollment']:,} leads enrolled, "
        f"{rows['nurture_unsubscribe']:,} unsubscribed."
    )
    print_note(
        f"Two in a box: {rows['pod']:,} pods, {rows['se_request']:,} SE requests, "
        f"{rows['meeting']:,} calls ({rows['huddle']:,} huddles, {rows['debrief']:,} debriefs), "
        f"{rows['stakeholder']:,} stakeholders, {rows['poc']:,} POCs, "
        f"{rows['technical_win']:,} technical wins, {rows['product_gap']:,} product gaps."
    )
    if summary.model_auc is not None:
        print_note(
            f"Predictive model trained and active: held-out AUC {summary.model_auc:.3f}; "
            f"{rows['predictive_score']:,} contacts scored."
        )
    elif summary.model_note is not None:
        print_note(f"No predictive model: {summary.model_note}")
    _print_logins(summary.logins)


def _scale(value: DemoScale) -> Scale:
    scales: dict[DemoScale, Scale] = {
        DemoScale.SMALL: "small",
        DemoScale.MEDIUM: "medium",
        DemoScale.LARGE: "large",
    }
    return scales[value]


def _parse_day(value: str | None) -> date:
    if value is None:
        return utcnow().date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"'{value}' is not a date like 2026-01-31", field="today") from None


SHOWN_MANAGERS = 3  # SE managers listed by name (a large organisation has sixty)


def highlights(logins: Sequence[DemoLogin]) -> list[DemoLogin]:
    """The sign-ins worth showing: the director, the first SE managers, one SE per level, two
    AEs, admin, PM and viewer."""
    shown: list[DemoLogin] = []
    levels_seen: set[str] = set()
    aes = managers = 0
    for login in logins:
        role = login.role.value
        if role == "se":
            level = login.level.value if login.level else ""
            if level in levels_seen:
                continue
            levels_seen.add(level)
        elif role == "ae":
            aes += 1
            if aes > 2:
                continue
        elif login.level is SELevel.MANAGER:
            managers += 1
            if managers > SHOWN_MANAGERS:
                continue
        shown.append(login)
    return shown


def _print_logins(logins: Sequence[DemoLogin]) -> None:
    shown = highlights(logins)
    hidden = len(logins) - len(shown)
    caption = f"All {len(logins)} demo people use the password {DEMO_PASSWORD}"
    if hidden:
        managers = sum(1 for login in logins if login.level is SELevel.MANAGER)
        prefixes = "manager<N>@, se<N>@" if managers > SHOWN_MANAGERS else "se<N>@"
        caption += f"; {hidden} more: {prefixes} and ae<N>@{DEMO_DOMAIN}"
    print_table(
        "Demo sign-ins",
        ("Email", "Role", "Name", "Password"),
        [(login.email, _role_label(login), login.name, DEMO_PASSWORD) for login in shown],
        caption=caption,
    )
    print_note(SIGN_IN_HINT)


def _role_label(login: DemoLogin) -> str:
    if login.level is SELevel.DIRECTOR:
        return "director"
    if login.level is SELevel.MANAGER:
        return "SE manager"
    if login.role is Role.SE:
        return f"SE, {login.level.value}" if login.level else "SE"
    return {Role.AE: "AE", Role.PM: "PM"}.get(login.role, login.role.value)
