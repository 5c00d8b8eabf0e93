"""a deal's next step has a date of its own

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 09:00:00.000000

Debriefs used to append " (by YYYY-MM-DD)" to the deal's next step; those dates move into the new
column and the suffix is dropped from the text. A downgrade writes them back into the text.
"""

import re
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SUFFIX = re.compile(r"^(.*) \(by (\d{4}-\d{2}-\d{2})\)$", re.S)
_deal = sa.table(
    "opportunity",
    sa.column("id", sa.Integer),
    sa.column("next_step", sa.String),
    sa.column("next_step_due", sa.Date),
)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_step_due", sa.Date(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_deal.c.id, _deal.c.next_step).where(_deal.c.next_step.like("% (by %)"))
    ).all()
    for deal_id, text in rows:
        match = _SUFFIX.match(text or "")
        if match is None:
            continue
        try:
            due = date.fromisoformat(match.group(2))
        except ValueError:
            continue
        bind.execute(
            sa.update(_deal)
            .where(_deal.c.id == deal_id)
            .values(next_step=match.group(1), next_step_due=due)
        )


def downgrade() -> None:
    """Revert this revision."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_deal.c.id, _deal.c.next_step, _deal.c.next_step_due).where(
            _deal.c.next_step_due.is_not(None), _deal.c.next_step.is_not(None)
        )
    ).all()
    for deal_id, text, due in rows:
        suffix = f" (by {due.isoformat()})"
        bind.execute(
            sa.update(_deal)
            .where(_deal.c.id == deal_id)
            .values(next_step=text[: 500 - len(suffix)] + suffix)
        )
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.drop_column("next_step_due")
