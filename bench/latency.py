"""API latency against a demo organisation, beside the same SQL run directly (the floor), and
throughput with 8 concurrent clients. The server runs as in production (uvicorn, prod settings).

`python -m bench latency [--scale medium] [--requests 200]`; set TECHWIN_BENCH_PG_URL to a
PostgreSQL URL to measure PostgreSQL as well, or to ``local`` to have the harness start a server
from this machine's PostgreSQL binaries (as the tests do), its data kept in bench/cache/pg so the
organisation is generated once.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bench.common import Report
from techwin.config import Settings
from techwin.db.engine import build_engine
from techwin.models import Contact, User

CACHE = Path(__file__).resolve().parent / "cache"
SECRET = "bench-secret-key-0123456789-0123456789-abcdef"  # noqa: S105 - a local benchmark server
TARGETS = {"contacts list": 30.0, "board": 150.0, "funnel (a year)": 300.0, "record": 30.0}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(url: str) -> dict[str, str]:
    return {
        "TECHWIN_DATABASE_URL": url,
        "TECHWIN_ENV": "prod",
        "TECHWIN_SECRET_KEY": SECRET,
        "PATH": "/usr/bin:/bin",
    }


def _cli(url: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "techwin.cli.main", *args],
        env=_env(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"techwin {' '.join(args)} failed: {result.stderr[-1500:]}")
    return result.stdout


def prepare(url: str, scale: str) -> None:
    """The demo organisation of ``scale`` in the database (generated once)."""
    _cli(url, "db", "upgrade")
    if not _has_people(url):
        print(f"generating the {scale} demo…", flush=True)
        _cli(url, "demo", "--scale", scale, "--seed", "42")


def _has_people(url: str) -> bool:
    engine = build_engine(Settings(database_url=url))
    try:
        with Session(engine) as session:
            return session.scalar(select(User.id).limit(1)) is not None
    finally:
        engine.dispose()


def _requests(url: str) -> dict[str, str]:
    """The four measured requests, with parameters that hit real data."""
    engine = build_engine(Settings(database_url=url))
    with Session(engine) as session:
        owner = session.scalar(
            select(Contact.owner_id).where(Contact.lifecycle_stage == "mql").limit(1)
        )
        contact = session.scalar(select(Contact.id).order_by(Contact.id.desc()).limit(1))
    engine.dispose()
    end = date.today()
    start = end - timedelta(days=365)
    return {
        "contacts list": f"/api/v1/contacts?stage=mql&owner_id={owner}&sort=-created&size=50",
        "board": "/api/v1/board",
        "funnel (a year)": f"/api/v1/funnel?start={start}&end={end}",
        "record": f"/api/v1/contacts/{contact}",
    }


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "techwin.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=_env(url),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not become ready")


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _sql_floor(url: str, path: str, token: str, runs: int) -> tuple[float, float]:
    """Run the SQL one request issues, straight on the database driver, ``runs`` times."""
    from fastapi.testclient import TestClient

    from techwin.app import create_app

    app = create_app(Settings(database_url=url, env="prod", secret_key=SECRET))
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    with TestClient(app) as client:
        event.listen(app.state.engine, "before_cursor_execute", capture)
        client.get(path, headers={"Authorization": f"Bearer {token}"})
        event.remove(app.state.engine, "before_cursor_execute", capture)
    if url.startswith("sqlite"):
        connection: Any = sqlite3.connect(url.removeprefix("sqlite:///"))
        cursor = connection
    else:
        engine = build_engine(Settings(database_url=url))
        connection = engine.raw_connection()
        cursor = connection.cursor()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        for statement, parameters in statements:
            cursor.execute(statement, parameters).fetchall()
        samples.append((time.perf_counter() - start) * 1000)
    connection.close()
    return _percentiles(samples)


def _load(base: str, path: str, token: str, *, clients: int, seconds: float) -> tuple[int, int]:
    done = [0] * clients
    errors = [0] * clients
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            while time.monotonic() < stop:
                try:
                    ok = client.get(path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                done[index] += 1
                errors[index] += 0 if ok else 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done), sum(errors)


def measure(report: Report, label: str, url: str, *, requests: int) -> None:
    """Latency per endpoint with its SQL floor, then 8 clients on the list for 20 s."""
    token = _cli(
        url, "tokens", "create", "--email", "admin@demo.techwin.dev", "--name", "bench", "--quiet"
    ).strip()
    paths = _requests(url)
    process, base = _serve(url)
    try:
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            for name, path in paths.items():
                for _ in range(20):
                    client.get(path)
                samples = []
                for _ in range(requests):
                    start = time.perf_counter()
                    response = client.get(path)
                    samples.append((time.perf_counter() - start) * 1000)
                    if response.status_code != 200:
                        raise SystemExit(
                            f"{path} answered {response.status_code}: {response.text[:300]}"
                        )
                p50, p95 = _percentiles(samples)
                target = TARGETS[name]
                report.add(f"{label} {name} p50", p50, "ms")
                report.add(
                    f"{label} {name} p95", p95, "ms", target=f"< {target:g} ms", ok=p95 < target
                )
                floor = _sql_floor(url, path, token, requests)
                report.add(f"{label} {name} SQL floor p95", floor[1], "ms")
                report.add(f"{label} {name} p95 / floor", p95 / max(floor[1], 0.001), "×")
        total, errors = _load(base, paths["contacts list"], token, clients=8, seconds=20)
        report.add(f"{label} 8 clients × 20 s on the list", total / 20, "req/s")
        report.add(f"{label} errors under load", errors, "", target="0", ok=errors == 0)
        report.add(f"{label} server RSS after load", _rss_mb(process.pid), "MB")
    finally:
        process.terminate()
        process.wait(timeout=30)


def run(scale: str = "medium", requests: int = 200, backend: str = "both") -> Report:
    """Measure SQLite (``backend`` sqlite or both) and PostgreSQL (postgresql or both; only
    when TECHWIN_BENCH_PG_URL is set)."""
    CACHE.mkdir(exist_ok=True)
    report = Report(f"latency-{scale}")
    pg_url = os.environ.get("TECHWIN_BENCH_PG_URL")
    if backend == "postgresql" and not pg_url:
        raise SystemExit("--backend postgresql needs TECHWIN_BENCH_PG_URL (a URL, or 'local')")
    if backend != "postgresql":
        url = f"sqlite:///{CACHE / f'demo-{scale}-42.db'}"
        prepare(url, scale)
        measure(report, "sqlite", url, requests=requests)
    if backend == "sqlite":
        report.notes.append("PostgreSQL not measured in this run (--backend sqlite)")
        return report
    if pg_url == "local":
        from tests.pg import ensure_database, find_pg_bin, running_postgres

        bin_dir = find_pg_bin()
        if bin_dir is None:
            raise SystemExit("no PostgreSQL binaries found (apt-get install postgresql)")
        with running_postgres(bin_dir, CACHE / "pg") as base:
            url = ensure_database(base, f"techwin_bench_{scale}")
            prepare(url, scale)
            measure(report, "postgresql", url, requests=requests)
        report.notes.append(
            "PostgreSQL: a local server started by the harness (fsync off, default memory "
            "settings otherwise)"
        )
    elif pg_url:
        prepare(pg_url, scale)
        measure(report, "postgresql", pg_url, requests=requests)
    else:
        report.notes.append("PostgreSQL not measured: set TECHWIN_BENCH_PG_URL (or 'local')")
    return report
