"""funnel durations as histograms; a covering index for the funnel's counts

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 05:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAGES = (
    "lead",
    "mql",
    "sal",
    "sql",
    "opportunity",
    "customer",
    "nurture",
    "disqualified",
    "churned",
)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "funnel_duration",
        sa.Column("cohort_day", sa.Date(), nullable=False),
        sa.Column(
            "from_stage",
            sa.Enum(*STAGES, name="lifecycle_stage", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("bucket", sa.SmallInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "cohort_day", "from_stage", "bucket", name=op.f("pk_funnel_duration")
        ),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_created")
        batch_op.create_index(
            "ix_contact_created_funnel",
            ["created_at", "furthest_rank", "source", "owner_id"],
            unique=False,
        )
    from techwin.pipeline import funnel_stats  # the same counting as the product's

    funnel_stats.rebuild(Session(bind=op.get_bind()))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_created_funnel")
        batch_op.create_index("ix_contact_created", ["created_at"], unique=False)
    op.drop_table("funnel_duration")
