"""Time in stage for the funnel, kept as histograms so that a year of a million-contact
organisation is summed from a few hundred thousand small rows instead of millions of transitions.

Every lifecycle move out of a funnel stage adds one to the row (day the contact was created,
stage left, duration bucket). The funnel's "median days in stage" for a cohort is read from the
sum of its days' histograms, interpolating inside the bucket that holds the middle value: exact
to within an hour under a day, a quarter day under a week, half a day under two months and a week
beyond (see :data:`EDGES`).

Moves made through the services update the rows as they happen; bulk writers (the demo
generator, a migration) call :func:`rebuild`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, case, cast, delete, func, insert, literal, select, update
from sqlalchemy.orm import Session

from techwin.core.time import as_utc
from techwin.pipeline import rules
from techwin.pipeline.enums import LifecycleStage
from techwin.pipeline.models import Contact, FunnelDuration, LifecycleTransition

HOUR = 3600
DAY = 24 * HOUR


def _edges() -> tuple[int, ...]:
    """Lower bounds (seconds) of the duration buckets: hourly for a day, then quarter days to a
    week, half days to 60 days, weeks to two years; the last bucket is open."""
    edges = list(range(0, DAY, HOUR))
    edges += range(DAY, 7 * DAY, DAY // 4)
    edges += range(7 * DAY, 60 * DAY, DAY // 2)
    edges += range(60 * DAY, 731 * DAY, 7 * DAY)
    return tuple(edges)


EDGES = _edges()


def bucket_of(seconds: int) -> int:
    """The bucket a duration falls in."""
    return max(0, bisect_right(EDGES, seconds) - 1)


def _bucket_sql(seconds: Any) -> Any:
    """:func:`bucket_of` as SQL: a CASE over the same edges (highest first)."""
    return case(
        *((seconds >= edge, literal(i)) for i, edge in reversed(list(enumerate(EDGES))) if i),
        else_=literal(0),
    )


def _cohort_day_sql(session: Session) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.date(Contact.created_at)
    return cast(func.timezone("UTC", Contact.created_at), FunnelDuration.cohort_day.type)


def record_duration(
    session: Session,
    *,
    created_at: datetime,
    stage: LifecycleStage | None,
    seconds: int | None,
    delta: int = 1,
) -> None:
    """Count (or with ``delta=-1`` uncount) one stay in a funnel stage."""
    if stage not in rules.FUNNEL_STAGES or seconds is None:
        return
    key = {
        "cohort_day": as_utc(created_at).date(),
        "from_stage": stage,
        "bucket": bucket_of(seconds),
    }
    changed = session.execute(
        update(FunnelDuration)
        .where(*(getattr(FunnelDuration, k) == v for k, v in key.items()))
        .values(count=FunnelDuration.count + delta)
        .execution_options(synchronize_session=False)
    )
    if not getattr(changed, "rowcount", 0) and delta > 0:
        session.execute(insert(FunnelDuration).values(**key, count=delta))


def forget_contact(session: Session, contact: Contact) -> None:
    """Remove a contact's stays from the histograms (before the contact is deleted)."""
    for stage, seconds in session.execute(
        select(LifecycleTransition.from_stage, LifecycleTransition.seconds_in_from_stage).where(
            LifecycleTransition.contact_id == contact.id
        )
    ):
        record_duration(
            session, created_at=contact.created_at, stage=stage, seconds=seconds, delta=-1
        )


def rebuild(session: Session) -> int:
    """Recount every histogram from the transitions (after bulk writes); returns the rows."""
    session.execute(delete(FunnelDuration))
    seconds = LifecycleTransition.seconds_in_from_stage
    day = _cohort_day_sql(session)
    bucket = _bucket_sql(seconds)
    counted = (
        select(
            day.label("cohort_day"),
            LifecycleTransition.from_stage,
            bucket.label("bucket"),
            func.count().label("count"),
        )
        .join(Contact, Contact.id == LifecycleTransition.contact_id)
        .where(LifecycleTransition.from_stage.in_(rules.FUNNEL_STAGES), seconds.is_not(None))
        .group_by(day, LifecycleTransition.from_stage, bucket)
    )
    session.execute(
        insert(FunnelDuration).from_select(["cohort_day", "from_stage", "bucket", "count"], counted)
    )
    return int(session.scalar(select(func.count()).select_from(FunnelDuration)) or 0)


def median_from_histogram(counts: dict[int, int]) -> float | None:
    """The median duration (seconds) of a histogram, interpolated inside its bucket."""
    total = sum(c for c in counts.values() if c > 0)
    if not total:
        return None
    middle = total / 2
    seen = 0
    for bucket in sorted(counts):
        count = counts[bucket]
        if count <= 0:
            continue
        if seen + count >= middle:
            low = EDGES[bucket]
            high = EDGES[bucket + 1] if bucket + 1 < len(EDGES) else low + 7 * DAY
            return low + (high - low) * (middle - seen) / count
        seen += count
    return None


def cohort_medians(session: Session, *, start: date, end: date) -> dict[LifecycleStage, float]:
    """Median days spent in each funnel stage by contacts created from ``start`` to ``end``."""
    rows = session.execute(
        select(
            FunnelDuration.from_stage,
            FunnelDuration.bucket,
            cast(func.sum(FunnelDuration.count), Integer),
        )
        .where(FunnelDuration.cohort_day >= start, FunnelDuration.cohort_day <= end)
        .group_by(FunnelDuration.from_stage, FunnelDuration.bucket)
    )
    histograms: dict[LifecycleStage, dict[int, int]] = defaultdict(dict)
    for stage, bucket, count in rows:
        histograms[stage][int(bucket)] = int(count or 0)
    medians: dict[LifecycleStage, float] = {}
    for stage, counts in histograms.items():
        seconds = median_from_histogram(counts)
        if seconds is not None:
            medians[stage] = round(seconds / DAY, 1)
    return medians
