"""`techwin requests …`: SE requests, for operators and scripts."""

from __future__ import annotations

from typing import Annotated

import typer

from techwin.auth import service as auth_service
from techwin.cli.context import open_engine, unit_of_work
from techwin.cli.output import print_json, print_note, print_table
from techwin.collaboration import requests
from techwin.collaboration.enums import REQUEST_KIND_LABELS, RequestStatus
from techwin.core.pagination import MAX_PAGE_SIZE, PageRequest
from techwin.errors import InvalidInput, NotFound
from techwin.pipeline import opportunities

app = typer.Typer(
    help="SE requests: who asked for SE time, on which deal, and where it stands.",
    no_args_is_help=True,
)


@app.command("list")
def list_requests(
    status: Annotated[
        list[RequestStatus] | None,
        typer.Option("--status", help="Only these statuses (repeat the option for several)."),
    ] = None,
    se: Annotated[
        str | None, typer.Option("--se", help="Only requests assigned to this SE (email).")
    ] = None,
    deal: Annotated[
        int | None, typer.Option("--deal", help="Only this deal's requests (id).")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """SE requests, soonest needed first."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"must be between 1 and {MAX_PAGE_SIZE}", field="limit")
    with open_engine() as engine, unit_of_work(engine) as session:
        assignee_id = None
        if se is not None:
            user = auth_service.find_user_by_email(session, se)
            if user is None:
                raise NotFound(f"no user has the email {se}", field="se")
            assignee_id = user.id
        if deal is not None:
            try:
                opportunities.get_opportunity(session, deal)
            except NotFound as exc:
                raise NotFound(f"deal {deal} does not exist", field="deal") from exc
        filters = requests.RequestFilter(
            statuses=tuple(status or ()), assignee_id=assignee_id, opportunity_id=deal
        )
        page = requests.list_requests(session, filters=filters, page=PageRequest(size=limit))
        rows = [requests.request_out(r).model_dump(mode="json") for r in page.items]
        people = {
            r.id: (
                r.assignee.email if r.assignee else None,
                r.requester.email if r.requester else None,
            )
            for r in page.items
        }
    if as_json:
        print_json(rows)
        return
    print_table(
        "SE requests",
        ("ID", "Needed by", "Kind", "Status", "Deal", "SE", "Requested by"),
        [
            (
                r["id"],
                r["needed_by"],
                REQUEST_KIND_LABELS[r["kind"]],
                r["status"],
                r["opportunity_name"],
                people[r["id"]][0],
                people[r["id"]][1],
            )
            for r in rows
        ],
        no_wrap=("ID", "Needed by"),
    )
    if page.total > len(rows):
        print_note(f"{len(rows)} of {page.total} shown; use --limit or filters for more.")
