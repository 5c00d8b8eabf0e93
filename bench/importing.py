"""Import speed: a 1,000,000-row contacts CSV through `techwin import`, beside a raw
`sqlite3.executemany` of the same rows into the same table shape."""

from __future__ import annotations

import csv
import json
import random
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench.common import Report

CACHE = Path(__file__).resolve().parent / "cache"
FIRST = (
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Femi",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kira",
    "Luca",
)
LAST = (
    "Okafor",
    "Schmidt",
    "Tanaka",
    "Rossi",
    "Novak",
    "Garcia",
    "Kowalski",
    "Larsen",
    "Dubois",
    "Silva",
)
TITLES = (
    "Engineer",
    "Senior Engineer",
    "Architect",
    "IT Manager",
    "Director of IT",
    "VP Engineering",
    "CTO",
)
SOURCES = ("website", "webinar", "event", "referral", "outbound", "partner", "content download")
STAGES = ("lead", "lead", "lead", "mql", "sal", "sql", "nurture", "disqualified")
HEADER = [
    "external_id",
    "first_name",
    "last_name",
    "email",
    "title",
    "department",
    "source",
    "lifecycle_stage",
    "created_at",
    "lead_score_band",
]


def make_csv(path: Path, rows: int, seed: int = 5) -> None:
    """A generic-preset contacts file (no owners or accounts: the raw baseline has none either)."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            writer.writerow(
                [
                    f"B{i:07d}",
                    first,
                    last,
                    f"{first.lower()}.{last.lower()}.{i}@firm{i % 5000}.example",
                    rng.choice(TITLES),
                    "IT",
                    rng.choice(SOURCES),
                    rng.choice(STAGES),
                    f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    rng.choice(("A", "B", "C", "D")),
                ]
            )


def baseline(path: Path, csv_path: Path) -> tuple[float, int]:
    """Rows per second of plain sqlite3.executemany into Techwin's own ``contact`` table
    (same columns, same indexes: the schema is built by the migrations)."""
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    subprocess.run(
        [sys.executable, "-m", "techwin.cli.main", "db", "upgrade"],
        check=True,
        env={"TECHWIN_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
    )
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    start = time.perf_counter()
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        db.executemany(
            "INSERT INTO contact (external_id, first_name, last_name, email, title, department, "
            "source, lifecycle_stage, stage_entered_at, furthest_rank, created_at, updated_at, "
            "version, custom) "
            "VALUES (?,?,?,?,?,?,?,?,?,0,?,?,1,?)",
            (
                (
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    r[5],
                    r[6],
                    r[7],
                    r[8],
                    r[8],
                    r[8],
                    json.dumps({"lead_score_band": r[9]}),
                )
                for r in reader
            ),
        )
    db.commit()
    elapsed = time.perf_counter() - start
    count = db.execute("SELECT count(*) FROM contact").fetchone()[0]
    db.close()
    return elapsed, count


def run(rows: int = 1_000_000) -> Report:
    """Measure the baseline and a real `techwin import` (in its own process, for its peak RSS)."""
    CACHE.mkdir(exist_ok=True)
    csv_path = CACHE / f"contacts-{rows}.csv"
    if not csv_path.exists():
        print(f"writing {csv_path.name}…", flush=True)
        make_csv(csv_path, rows)
    report = Report("import")
    base_seconds, base_count = baseline(CACHE / "baseline.db", csv_path)
    base_rate = base_count / base_seconds
    report.add("sqlite3.executemany into the contact table", base_rate, "rows/s")
    target = CACHE / "import-target.db"
    target.unlink(missing_ok=True)
    env_url = f"sqlite:///{target}"
    techwin = [sys.executable, "-m", "techwin.cli.main"]
    subprocess.run(
        [*techwin, "db", "upgrade"],
        check=True,
        env={"TECHWIN_DATABASE_URL": env_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run(
        [*techwin, "import", "contacts", str(csv_path), "--json", "--skip-scoring"],
        env={"TECHWIN_DATABASE_URL": env_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"import failed: {result.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rate = rows / seconds
    report.add("techwin import (process wall time)", rate, "rows/s")
    report.add(
        "ratio to baseline", rate / base_rate, "×", target="≥ 0.333", ok=rate / base_rate >= 1 / 3
    )
    report.add(
        "import peak RSS",
        max(peak, before) / 1024,
        "MB",
        target="< 400 MB",
        ok=max(peak, before) / 1024 < 400,
    )
    report.add("rows imported", rows, "rows")
    start = time.perf_counter()
    subprocess.run(
        [*techwin, "scoring", "recompute"],
        env={"TECHWIN_DATABASE_URL": env_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        check=True,
    )
    report.add("then scoring the imported contacts", rows / (time.perf_counter() - start), "rows/s")
    report.notes.append(
        "the import is measured with --skip-scoring (like the baseline, it only stores rows); "
        "a default import also scores the contacts, at the rate of the last line"
    )
    return report
