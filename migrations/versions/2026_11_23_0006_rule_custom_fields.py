"""fit rules name custom fields (contact.<key>, account.<key>): a longer field name

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 04:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("scoring_rule", schema=None) as batch_op:
        batch_op.alter_column(
            "field", existing_type=sa.String(length=60), type_=sa.String(length=80)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("scoring_rule", schema=None) as batch_op:
        batch_op.alter_column(
            "field", existing_type=sa.String(length=80), type_=sa.String(length=60)
        )
