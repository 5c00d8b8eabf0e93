"""Predictive scoring at scale: training on 100,000 contacts, scoring 1,000,000 (SQLite)."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bench.common import Report, current_rss_mb, peak_rss_mb, stopwatch
from techwin.auth.enums import Role
from techwin.bootstrap import prepare_database
from techwin.config import Settings
from techwin.db.engine import build_engine
from techwin.models import Contact, EngagementEvent, LifecycleTransition, User
from techwin.pipeline.enums import LifecycleStage, Seniority
from techwin.scoring.enums import EventKind
from techwin.scoring.predictive import service
from techwin.scoring.predictive.service import TrainingOptions

CACHE = Path(__file__).resolve().parent / "cache"
SOURCES = (
    "website",
    "demo request",
    "free trial",
    "webinar",
    "event",
    "referral",
    "outbound",
    "content download",
)
SENIORITY = (Seniority.IC, Seniority.MANAGER, Seniority.DIRECTOR, Seniority.VP, Seniority.C_LEVEL)
BATCH = 20_000


def build(path: Path, contacts: int, seed: int) -> None:
    """A database of ``contacts`` leads whose outcome depends on a known signal."""
    url = f"sqlite:///{path}"
    engine = build_engine(Settings(database_url=url))
    prepare_database(url, engine)
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=900)
    with Session(engine) as session, session.begin():
        session.add(User(email="bench-admin@example.com", full_name="Bench Admin", role=Role.ADMIN))
    next_id = 1
    for offset in range(0, contacts, BATCH):
        rows: list[dict[str, Any]] = []
        transitions: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for i in range(offset, min(offset + BATCH, contacts)):
            cid = next_id
            next_id += 1
            created = start + timedelta(minutes=i * 900 * 24 * 60 / contacts)
            seniority = rng.choice(SENIORITY)
            source = rng.choice(SOURCES)
            webinars = rng.choice((0, 0, 0, 0, 1, 1, 2, 3))
            logit = (
                -2.6
                + 0.5 * SENIORITY.index(seniority)
                + (1.2 if source in ("demo request", "free trial") else 0)
                + 0.6 * webinars
            )
            reached = rng.random() < 1 / (1 + math.exp(-logit))
            rows.append(
                {
                    "id": cid,
                    "first_name": "Lead",
                    "last_name": str(i),
                    "email": f"lead{i}@firm{i % 997}.example",
                    "seniority": seniority,
                    "source": source,
                    "title": rng.choice(("Engineer", "Architect", "IT Manager", "CTO", "Analyst")),
                    "lifecycle_stage": LifecycleStage.SQL if reached else LifecycleStage.LEAD,
                    "stage_entered_at": created,
                    "furthest_rank": 3 if reached else 0,
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                }
            )
            transitions.append(
                {
                    "contact_id": cid,
                    "from_stage": None,
                    "to_stage": LifecycleStage.LEAD,
                    "at": created,
                    "reason": "created",
                    "overridden": False,
                }
            )
            if reached:
                transitions.append(
                    {
                        "contact_id": cid,
                        "from_stage": LifecycleStage.SAL,
                        "to_stage": LifecycleStage.SQL,
                        "at": created + timedelta(days=20),
                        "reason": None,
                        "overridden": False,
                    }
                )
            events.extend(
                {
                    "contact_id": cid,
                    "kind": EventKind.WEBINAR_ATTENDED,
                    "occurred_at": created + timedelta(days=1 + w),
                    "source": "import",
                    "created_at": created,
                }
                for w in range(webinars)
            )
        with Session(engine) as session, session.begin():
            session.execute(insert(Contact), rows)
            session.execute(insert(LifecycleTransition), transitions)
            if events:
                session.execute(insert(EngagementEvent), events)
        print(f"  built {min(offset + BATCH, contacts):,} / {contacts:,} contacts", flush=True)
    engine.dispose()


def run(contacts: int = 1_000_000, train_rows: int = 100_000, seed: int = 11) -> Report:
    """Train on ``train_rows`` contacts and score all ``contacts``; report times and memory."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"scoring-{contacts}-{seed}.db"
    if not path.exists():
        print(f"building {path.name} (cached for later runs)…", flush=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        build(partial, contacts, seed)
        partial.rename(path)
    engine = build_engine(Settings(database_url=f"sqlite:///{path}"))
    report = Report("scoring")
    with Session(engine) as session:
        admin = session.scalar(select(User).where(User.email == "bench-admin@example.com"))
        rss_before = current_rss_mb()
        with stopwatch() as t:
            model = service.train_model(
                session, actor=admin, options=TrainingOptions(max_rows=train_rows)
            )
        report.add(
            f"train on {model.n_train + model.n_test:,} contacts",
            t["seconds"],
            "s",
            target="< 60 s",
            ok=t["seconds"] < 60,
        )
        report.add(
            "held-out AUC",
            model.report["auc"],
            "",
            target="> best single feature",
            ok=model.report["auc"] > model.report["best_single_feature_auc"],
        )
        report.notes.append(f"algorithm {model.algorithm}; cv AUC {model.report['cv_auc']}")
        session.commit()
        with stopwatch() as t:
            scored = service.predict_all(session)
        session.commit()
        report.add(
            f"score {scored:,} contacts", t["seconds"], "s", target="< 60 s", ok=t["seconds"] < 60
        )
        report.add("scoring rate", scored / t["seconds"], "rows/s")
        report.add("peak RSS", peak_rss_mb(), "MB")
        report.add(
            "RSS growth during run",
            current_rss_mb() - rss_before,
            "MB",
            target="bounded (streamed in batches)",
        )
    engine.dispose()
    return report
