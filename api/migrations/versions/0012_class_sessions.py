"""Class sessions of advisors, the pupils who joined them (pseudonyms only) and the topics they
asked about (keys only).

Revision ID: 0012_class_sessions
Revises: 0011_accounts
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_class_sessions"
down_revision: str | None = "0011_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "class_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("grade", sa.String(20), nullable=False),
        sa.Column("school", sa.String(150), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("code", sa.String(6), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_sessions")),
        sa.ForeignKeyConstraint(
            ["advisor_id"],
            ["accounts.id"],
            name=op.f("fk_class_sessions_advisor_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("code", name=op.f("uq_class_sessions_code")),
    )
    op.create_index("ix_class_sessions_advisor_id", "class_sessions", ["advisor_id"])

    op.create_table(
        "class_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("pupil_ref", sa.String(200), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("check_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_members")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["class_sessions.id"],
            name=op.f("fk_class_members_session_id_class_sessions"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("pupil_ref", name=op.f("uq_class_members_pupil_ref")),
    )
    op.create_index("ix_class_members_session_id", "class_members", ["session_id"])

    op.create_table(
        "class_member_topics",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "topic", name=op.f("pk_class_member_topics")),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["class_members.id"],
            name=op.f("fk_class_member_topics_member_id_class_members"),
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("class_member_topics")
    op.drop_index("ix_class_members_session_id", table_name="class_members")
    op.drop_table("class_members")
    op.drop_index("ix_class_sessions_advisor_id", table_name="class_sessions")
    op.drop_table("class_sessions")
