"""collaboration: SE profiles, pods, charters and acknowledgements, stakeholders, SE requests
with their status history, meetings with huddles and debriefs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from techwin.db.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "pod",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_pod_team_id_team"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pod")),
        sa.UniqueConstraint("name", name=op.f("uq_pod_name")),
    )
    with op.batch_alter_table("pod", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pod_team_id"), ["team_id"], unique=False)

    op.create_table(
        "charter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("pod_id", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("rescue_phrase", sa.String(length=200), nullable=False),
        sa.Column("prep_lead_hours", sa.Integer(), nullable=False),
        sa.Column("prep_minutes", sa.Integer(), nullable=False),
        sa.Column("pricing_with_ae", sa.Boolean(), nullable=False),
        sa.Column("commitments", sa.JSON(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("change_note", sa.String(length=500), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_charter_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pod_id"], ["pod.id"], name=op.f("fk_charter_pod_id_pod"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_charter_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charter")),
    )
    with op.batch_alter_table("charter", schema=None) as batch_op:
        batch_op.create_index("ix_charter_scope", ["team_id", "pod_id", "is_current"], unique=False)

    op.create_table(
        "pod_member",
        sa.Column("pod_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "side",
            sa.Enum("ae", "se", name="pod_side", native_enum=False, length=30),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["pod_id"], ["pod.id"], name=op.f("fk_pod_member_pod_id_pod"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_pod_member_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pod_id", "user_id", name=op.f("pk_pod_member")),
    )
    with op.batch_alter_table("pod_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pod_member_user_id"), ["user_id"], unique=False)

    op.create_table(
        "se_profile",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("territories", sa.JSON(), nullable=False),
        sa.Column("weekly_capacity_hours", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_se_profile_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_se_profile")),
    )
    op.create_table(
        "charter_acknowledgement",
        sa.Column("charter_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["charter_id"],
            ["charter.id"],
            name=op.f("fk_charter_acknowledgement_charter_id_charter"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_charter_acknowledgement_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("charter_id", "user_id", name=op.f("pk_charter_acknowledgement")),
    )
    with op.batch_alter_table("charter_acknowledgement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_charter_acknowledgement_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "se_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "discovery_call",
                "standard_demo",
                "custom_demo",
                "poc",
                "rfp",
                "security_review",
                "workshop",
                name="request_kind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "blocked",
                "accepted",
                "assigned",
                "scheduled",
                "done",
                "declined",
                "cancelled",
                name="request_status",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("needed_by", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("attendees", sa.String(length=500), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("charter_id", sa.Integer(), nullable=True),
        sa.Column("unmet", sa.JSON(), nullable=False),
        sa.Column("override_reason", sa.String(length=500), nullable=True),
        sa.Column("decline_reason", sa.String(length=500), nullable=True),
        sa.Column("unanswered", sa.JSON(), nullable=False),
        sa.Column("status_changed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["user.id"],
            name=op.f("fk_se_request_assignee_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["charter_id"],
            ["charter.id"],
            name=op.f("fk_se_request_charter_id_charter"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunity.id"],
            name=op.f("fk_se_request_opportunity_id_opportunity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["user.id"],
            name=op.f("fk_se_request_requester_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_se_request")),
    )
    with op.batch_alter_table("se_request", schema=None) as batch_op:
        batch_op.create_index("ix_se_request_assignee", ["assignee_id", "status"], unique=False)
        batch_op.create_index("ix_se_request_opportunity", ["opportunity_id"], unique=False)
        batch_op.create_index("ix_se_request_status_needed", ["status", "needed_by"], unique=False)

    op.create_table(
        "stakeholder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "economic_buyer",
                "champion",
                "technical_evaluator",
                "decision_maker",
                "influencer",
                "blocker",
                "user",
                name="buying_role",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "engagement",
            sa.Enum(
                "none",
                "aware",
                "engaged",
                "active",
                name="engagement",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "sentiment",
            sa.Enum(
                "unknown",
                "positive",
                "neutral",
                "negative",
                name="sentiment",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("last_touch_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.String(length=500), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_stakeholder_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunity.id"],
            name=op.f("fk_stakeholder_opportunity_id_opportunity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stakeholder")),
        sa.UniqueConstraint(
            "opportunity_id", "contact_id", name=op.f("uq_stakeholder_opportunity_id_contact_id")
        ),
    )
    with op.batch_alter_table("stakeholder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stakeholder_contact_id"), ["contact_id"], unique=False)

    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "discovery_call",
                "demo",
                "custom_demo",
                "technical_deep_dive",
                "poc_kickoff",
                "poc_readout",
                "workshop",
                "security_review",
                "executive_briefing",
                "other",
                name="meeting_kind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("is_major", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned", "held", "cancelled", name="meeting_status", native_enum=False, length=30
            ),
            nullable=False,
        ),
        sa.Column("held_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("agenda", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunity.id"],
            name=op.f("fk_meeting_opportunity_id_opportunity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user.id"], name=op.f("fk_meeting_owner_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["se_request.id"],
            name=op.f("fk_meeting_request_id_se_request"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(
            "ix_meeting_opportunity_starts", ["opportunity_id", "starts_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_meeting_request_id"), ["request_id"], unique=False)
        batch_op.create_index("ix_meeting_starts", ["starts_at"], unique=False)

    op.create_table(
        "se_request_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "submitted",
                "blocked",
                "accepted",
                "assigned",
                "scheduled",
                "done",
                "declined",
                "cancelled",
                name="request_status",
                native_enum=False,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "submitted",
                "blocked",
                "accepted",
                "assigned",
                "scheduled",
                "done",
                "declined",
                "cancelled",
                name="request_status",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user.id"],
            name=op.f("fk_se_request_event_actor_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["se_request.id"],
            name=op.f("fk_se_request_event_request_id_se_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_se_request_event")),
    )
    with op.batch_alter_table("se_request_event", schema=None) as batch_op:
        batch_op.create_index("ix_se_request_event_request_at", ["request_id", "at"], unique=False)

    op.create_table(
        "debrief",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("what_we_missed", sa.Text(), nullable=True),
        sa.Column(
            "pain_uncovered",
            sa.Enum("yes", "partly", "no", name="pain_uncovered", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("next_step_secured", sa.Boolean(), nullable=False),
        sa.Column("next_step", sa.String(length=500), nullable=True),
        sa.Column("next_step_date", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_debrief_author_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_debrief_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_debrief")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_debrief_meeting_id")),
    )
    op.create_table(
        "huddle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("held_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("objective", sa.String(length=500), nullable=False),
        sa.Column("driver_id", sa.Integer(), nullable=True),
        sa.Column("commercial_owner_id", sa.Integer(), nullable=True),
        sa.Column("screen_sharer_id", sa.Integer(), nullable=True),
        sa.Column("note_taker_id", sa.Integer(), nullable=True),
        sa.Column("opener_id", sa.Integer(), nullable=True),
        sa.Column("call_to_action", sa.String(length=500), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_huddle_author_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["commercial_owner_id"],
            ["user.id"],
            name=op.f("fk_huddle_commercial_owner_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["driver_id"], ["user.id"], name=op.f("fk_huddle_driver_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_huddle_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["note_taker_id"],
            ["user.id"],
            name=op.f("fk_huddle_note_taker_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["opener_id"], ["user.id"], name=op.f("fk_huddle_opener_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["screen_sharer_id"],
            ["user.id"],
            name=op.f("fk_huddle_screen_sharer_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_huddle")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_huddle_meeting_id")),
    )
    op.create_table(
        "meeting_attendee",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_attendee_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_meeting_attendee_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "user_id", name=op.f("pk_meeting_attendee")),
    )
    with op.batch_alter_table("meeting_attendee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_attendee_user_id"), ["user_id"], unique=False)

    op.create_table(
        "meeting_contact",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_meeting_contact_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_contact_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "contact_id", name=op.f("pk_meeting_contact")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("meeting_contact")
    with op.batch_alter_table("meeting_attendee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_attendee_user_id"))

    op.drop_table("meeting_attendee")
    op.drop_table("huddle")
    op.drop_table("debrief")
    with op.batch_alter_table("se_request_event", schema=None) as batch_op:
        batch_op.drop_index("ix_se_request_event_request_at")

    op.drop_table("se_request_event")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_starts")
        batch_op.drop_index(batch_op.f("ix_meeting_request_id"))
        batch_op.drop_index("ix_meeting_opportunity_starts")

    op.drop_table("meeting")
    with op.batch_alter_table("stakeholder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stakeholder_contact_id"))

    op.drop_table("stakeholder")
    with op.batch_alter_table("se_request", schema=None) as batch_op:
        batch_op.drop_index("ix_se_request_status_needed")
        batch_op.drop_index("ix_se_request_opportunity")
        batch_op.drop_index("ix_se_request_assignee")

    op.drop_table("se_request")
    with op.batch_alter_table("charter_acknowledgement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charter_acknowledgement_user_id"))

    op.drop_table("charter_acknowledgement")
    op.drop_table("se_profile")
    with op.batch_alter_table("pod_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pod_member_user_id"))

    op.drop_table("pod_member")
    with op.batch_alter_table("charter", schema=None) as batch_op:
        batch_op.drop_index("ix_charter_scope")

    op.drop_table("charter")
    with op.batch_alter_table("pod", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pod_team_id"))

    op.drop_table("pod")
