"""evaluation and feedback: technical wins, POCs with success criteria, competitors, product gaps

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import techwin.db.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = techwin.db.types.UTCDateTime(timezone=True)


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "technical_win",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "not_started",
                "in_progress",
                "won",
                "lost",
                "no_go",
                name="technical_win_status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "no_go_reason",
            sa.Enum(
                "poor_technical_fit",
                "no_budget",
                "no_compelling_event",
                "competitor_lock_in",
                "no_technical_sponsor",
                "unrealistic_requirements",
                "security_or_compliance",
                "other",
                name="no_go_reason",
                native_enum=False,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("decided_at", TIMESTAMP, nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user.id"],
            name=op.f("fk_technical_win_decided_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunity.id"],
            name=op.f("fk_technical_win_opportunity_id_opportunity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technical_win")),
        sa.UniqueConstraint("opportunity_id", name=op.f("uq_technical_win_opportunity_id")),
    )
    with op.batch_alter_table("technical_win", schema=None) as batch_op:
        batch_op.create_index(
            "ix_technical_win_status_decided", ["status", "decided_at"], unique=False
        )

    op.create_table(
        "poc",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("environment", sa.String(length=300), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "passed",
                "partial",
                "failed",
                "abandoned",
                name="poc_outcome",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("outcome_notes", sa.Text(), nullable=True),
        sa.Column("concluded_on", sa.Date(), nullable=True),
        sa.Column("signed_off_by", sa.String(length=120), nullable=True),
        sa.Column("signed_off_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_poc_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunity.id"],
            name=op.f("fk_poc_opportunity_id_opportunity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poc")),
    )
    with op.batch_alter_table("poc", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poc_opportunity_id"), ["opportunity_id"], unique=False)

    op.create_table(
        "poc_criterion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poc_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column(
            "result",
            sa.Enum(
                "pending",
                "met",
                "partially_met",
                "not_met",
                name="criterion_result",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("result_at", TIMESTAMP, nullable=True),
        sa.Column("result_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poc_id"], ["poc.id"], name=op.f("fk_poc_criterion_poc_id_poc"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["result_by_id"],
            ["user.id"],
            name=op.f("fk_poc_criterion_result_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poc_criterion")),
    )
    with op.batch_alter_table("poc_criterion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poc_criterion_poc_id"), ["poc_id"], unique=False)

    op.create_table(
        "competitor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("name_key", sa.String(length=120), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competitor")),
        sa.UniqueConstraint("name_key", name=op.f("uq_competitor_name_key")),
    )
    op.create_table(
        "deal_competitor",
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("competitor_id", sa.Integer(), nullable=False),
        sa.Column("incumbent", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("added_at", TIMESTAMP, nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["user.id"],
            name=op.f("fk_deal_competitor_added_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["competitor_id"],
            ["competitor.id"],
            name=op.f("fk_deal_competitor_competitor_id_competitor"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunity.id"],
            name=op.f("fk_deal_competitor_opportunity_id_opportunity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("opportunity_id", "competitor_id", name=op.f("pk_deal_competitor")),
    )
    with op.batch_alter_table("deal_competitor", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deal_competitor_competitor_id"), ["competitor_id"], unique=False
        )

    op.create_table(
        "product_gap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("product_area", sa.String(length=80), nullable=False),
        sa.Column(
            "severity",
            sa.Enum(
                "deal_breaker", "major", "minor", name="gap_severity", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("workaround", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "reviewed",
                "planned",
                "shipped",
                "wont_do",
                name="gap_status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("status_reason", sa.String(length=500), nullable=True),
        sa.Column("status_changed_at", TIMESTAMP, nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_product_gap_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_gap")),
    )
    with op.batch_alter_table("product_gap", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_gap_product_area"), ["product_area"], unique=False
        )
        batch_op.create_index(
            "ix_product_gap_status_severity", ["status", "severity"], unique=False
        )

    op.create_table(
        "product_gap_deal",
        sa.Column("gap_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("lost_because", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("linked_at", TIMESTAMP, nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["gap_id"],
            ["product_gap.id"],
            name=op.f("fk_product_gap_deal_gap_id_product_gap"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["linked_by_id"],
            ["user.id"],
            name=op.f("fk_product_gap_deal_linked_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunity.id"],
            name=op.f("fk_product_gap_deal_opportunity_id_opportunity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("gap_id", "opportunity_id", name=op.f("pk_product_gap_deal")),
    )
    with op.batch_alter_table("product_gap_deal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_gap_deal_opportunity_id"), ["opportunity_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("product_gap_deal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_gap_deal_opportunity_id"))
    op.drop_table("product_gap_deal")
    with op.batch_alter_table("product_gap", schema=None) as batch_op:
        batch_op.drop_index("ix_product_gap_status_severity")
        batch_op.drop_index(batch_op.f("ix_product_gap_product_area"))
    op.drop_table("product_gap")
    with op.batch_alter_table("deal_competitor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_competitor_competitor_id"))
    op.drop_table("deal_competitor")
    op.drop_table("competitor")
    with op.batch_alter_table("poc_criterion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poc_criterion_poc_id"))
    op.drop_table("poc_criterion")
    with op.batch_alter_table("poc", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poc_opportunity_id"))
    op.drop_table("poc")
    with op.batch_alter_table("technical_win", schema=None) as batch_op:
        batch_op.drop_index("ix_technical_win_status_decided")
    op.drop_table("technical_win")
