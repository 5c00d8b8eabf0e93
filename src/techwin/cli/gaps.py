"""`techwin gaps …`: product gaps ranked by the revenue they hold up."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated, TextIO

import typer

from techwin.cli.context import open_engine, unit_of_work
from techwin.cli.output import print_success
from techwin.core.csvout import neutralise
from techwin.core.money import CURRENCIES
from techwin.errors import InvalidInput
from techwin.feedback import queries
from techwin.feedback.enums import GapStatus

app = typer.Typer(
    help="Product gaps: what the field could not sell around, ranked by revenue impact.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


@app.command("export")
def export(
    file: Annotated[
        Path | None, typer.Argument(help="Where to write; '-' or nothing for standard output.")
    ] = None,
    status: Annotated[
        list[GapStatus] | None,
        typer.Option(help="Only gaps in this status (repeat for several)."),
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option(help="Rank by the amount in this currency (default: the largest share)."),
    ] = None,
) -> None:
    """Write the gaps as CSV in ranking order: impact = ACV of open deals blocked + ACV lost
    where the gap was a reason, each deal counted once, currencies never converted."""
    code = currency.strip().upper() if currency else None
    if code is not None and code not in CURRENCIES:
        raise InvalidInput(
            f"unknown currency; use one of {', '.join(CURRENCIES)}", field="currency"
        )
    filters = queries.GapFilter(statuses=tuple(status or ()))
    with open_engine() as engine, unit_of_work(engine) as session:
        rows = list(queries.export_rows(session, filters=filters, currency=code))
    if file is None or str(file) == "-":
        _write(sys.stdout, rows)
        return
    try:
        with file.open("w", newline="", encoding="utf-8") as out:
            _write(out, rows)
    except OSError as exc:
        raise InvalidInput(f"cannot write {file}: {exc.strerror or exc}", field="file") from exc
    print_success(f"Exported {len(rows):,} gaps to {file}.")


def _write(out: TextIO, rows: list[tuple[object, ...]]) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(queries.EXPORT_HEADER)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
