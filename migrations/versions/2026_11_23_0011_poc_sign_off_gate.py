"""the shipped "POC signed off" exit criterion is met by a recorded sign-off, not a tick

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 07:30:00.000000

Only the criterion the playbook shipped (key ``poc_signed_off``, still a checklist) changes
kind; ticks already given stay in the table, unread, so a downgrade brings them back.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_criterion = sa.table(
    "exit_criterion",
    sa.column("key", sa.String),
    sa.column("kind", sa.String),
    sa.column("subject", sa.String),
)


def _set_kind(old: str, new: str) -> None:
    op.execute(
        _criterion.update()
        .where(
            _criterion.c.key == "poc_signed_off",
            _criterion.c.subject == "opportunity",
            _criterion.c.kind == old,
        )
        .values(kind=new)
    )


def upgrade() -> None:
    """Apply this revision."""
    _set_kind("checklist", "poc_sign_off")


def downgrade() -> None:
    """Revert this revision."""
    _set_kind("poc_sign_off", "checklist")
