"""What every benchmark shares: timing, memory, a printed table and a JSON record."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def stopwatch() -> Iterator[dict[str, float]]:
    """Measure wall time of a block: ``with stopwatch() as t: …; t["seconds"]``."""
    box: dict[str, float] = {}
    start = time.perf_counter()
    try:
        yield box
    finally:
        box["seconds"] = time.perf_counter() - start


def machine() -> dict[str, Any]:
    """The machine the figures were measured on."""
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit or None,
    }


@dataclass
class Report:
    """One benchmark run: rows of figures with their targets."""

    name: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(
        self, measure: str, value: float, unit: str, *, target: str = "", ok: bool | None = None
    ) -> None:
        """Record one figure (and whether it meets its target, when there is one)."""
        self.rows.append(
            {"measure": measure, "value": round(value, 3), "unit": unit, "target": target, "ok": ok}
        )

    def print(self) -> None:
        """A plain table on stdout."""
        width = max((len(r["measure"]) for r in self.rows), default=10)
        print(f"\n== {self.name} ==")
        for r in self.rows:
            verdict = "" if r["ok"] is None else ("  ok" if r["ok"] else "  MISSED")
            target = f"  (target {r['target']})" if r["target"] else ""
            print(f"{r['measure']:<{width}}  {r['value']:>12,.3f} {r['unit']:<8}{target}{verdict}")
        for note in self.notes:
            print(f"note: {note}")

    def save(self) -> Path:
        """Write the run as JSON under bench/results/ and return the path."""
        RESULTS.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = RESULTS / f"{self.name}-{stamp}.json"
        body = {
            "name": self.name,
            "at": stamp,
            "machine": machine(),
            "rows": self.rows,
            "notes": self.notes,
        }
        path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
        return path
