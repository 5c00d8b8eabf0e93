"""The CLI's one output object: Rich consoles for people, plain JSON for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

# Both consoles look up sys.stdout / sys.stderr when they print, so captured output works too.
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def print_json(data: Any) -> None:
    """Write ``data`` as indented JSON on stdout, nothing else (for ``--json``)."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    sys.stdout.flush()


def print_error(field: str, reason: str) -> None:
    """The one way the CLI reports a failure: a single red line on stderr."""
    line = " ".join(f"error: {field}: {reason}".split())
    err_console.print(Text(line, style="red"), soft_wrap=True)


def print_success(message: str) -> None:
    """A short green confirmation."""
    console.print(Text(message, style="green"), soft_wrap=True)


def print_note(message: str) -> None:
    """A dim remark under a result."""
    console.print(Text(message, style="dim"), soft_wrap=True)


def print_table(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    caption: str | None = None,
    no_wrap: Sequence[str] = ("Email",),
) -> None:
    """A compact Rich table; ``None`` cells show as an em dash, ``no_wrap`` columns stay whole."""
    table = Table(
        title=title,
        caption=caption,
        box=box.SIMPLE_HEAD,
        header_style="bold",
        title_justify="left",
        caption_justify="left",
    )
    for column in columns:
        table.add_column(column, no_wrap=column in no_wrap)
    for row in rows:
        table.add_row(*("—" if cell is None else str(cell) for cell in row))
    console.print(table)


@contextmanager
def progress_reporter() -> Iterator[Reporter]:
    """Rich progress bars on stderr, one per phase: ``report(phase, done, total)``.

    The display starts with the first report, so a command that fails before doing any work
    prints nothing but its error line.
    """
    progress = Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )
    reporter = Reporter(progress)
    try:
        yield reporter
    finally:
        if reporter.started:
            progress.stop()


class Reporter:
    """Adapts ``progress(phase, done, total)`` callbacks to one Rich bar per phase."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}
        self.started = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.started:
            self._progress.start()
            self.started = True
        task = self._tasks.get(phase)
        if task is None:
            task = self._progress.add_task(phase, total=max(total, 1))
            self._tasks[phase] = task
        self._progress.update(task, completed=done if total else 1, total=max(total, 1))
