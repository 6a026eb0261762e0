"""Hand-offs: the summaries pupils send to an advisor with their consent, the advisor accounts
that read the region's summaries, and the short-lived links to a pupil's result as a PDF.

Revision ID: 0013_handoffs
Revises: 0012_class_sessions
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0013_handoffs"
down_revision: str | None = "0012_class_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_ref", sa.String(200), nullable=False),
        sa.Column("recipient", sa.String(10), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=True),
        sa.Column("class_session_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
        sa.ForeignKeyConstraint(
            ["advisor_id"], ["accounts.id"], name=op.f("fk_handoffs_advisor_id_accounts"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("pupil_ref", name=op.f("uq_handoffs_pupil_ref")),
        sa.CheckConstraint("recipient IN ('class', 'region')", name=op.f("ck_handoffs_recipient_known")),
        sa.CheckConstraint(
            "(recipient = 'class' AND advisor_id IS NOT NULL) "
            "OR (recipient = 'region' AND advisor_id IS NULL)",
            name=op.f("ck_handoffs_advisor_for_class"),
        ),
        sa.CheckConstraint("language IN ('de', 'en')", name=op.f("ck_handoffs_language_known")),
    )
    op.create_index("ix_handoffs_advisor_id", "handoffs", ["advisor_id"])
    op.create_index("ix_handoffs_expires_at", "handoffs", ["expires_at"])

    op.create_table(
        "region_advisers",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_region_advisers")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_region_advisers_account_id_accounts"),
            ondelete="CASCADE",
        ),
    )

    op.create_table(
        "result_links",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("pupil_ref", sa.String(200), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_result_links")),
        sa.CheckConstraint("language IN ('de', 'en')", name=op.f("ck_result_links_language_known")),
    )
    op.create_index("ix_result_links_pupil_ref", "result_links", ["pupil_ref"])


def downgrade() -> None:
    op.drop_index("ix_result_links_pupil_ref", table_name="result_links")
    op.drop_table("result_links")
    op.drop_table("region_advisers")
    op.drop_index("ix_handoffs_expires_at", table_name="handoffs")
    op.drop_index("ix_handoffs_advisor_id", table_name="handoffs")
    op.drop_table("handoffs")
