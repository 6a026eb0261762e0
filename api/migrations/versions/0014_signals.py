"""Signals for the district's education monitoring: completed checks, interest shown, hand-offs,
and the aggregates that expired signals are folded into (docs/monitoring_privacy.md).

Revision ID: 0014_signals
Revises: 0013_handoffs
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_signals"
down_revision: str | None = "0013_handoffs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUCKETS = "(0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100)"


def upgrade() -> None:
    op.create_table(
        "check_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contributor", sa.String(64), nullable=True),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("variant", sa.String(10), nullable=False),
        *(sa.Column(f"score_{code}", sa.SmallInteger(), nullable=True) for code in "riasec"),
        sa.Column("certificate", sa.String(30), nullable=True),
        sa.Column("municipality", sa.String(120), nullable=True),
        sa.Column("class_session_id", sa.Integer(), nullable=True),
        sa.Column("school_type", sa.String(30), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_signals")),
        *(
            sa.CheckConstraint(
                f"score_{code} IN {BUCKETS}", name=op.f(f"ck_check_signals_score_{code}_bucket")
            )
            for code in "riasec"
        ),
    )
    op.create_index("ix_check_signals_month", "check_signals", ["month"])
    op.create_index("ix_check_signals_contributor", "check_signals", ["contributor"])

    op.create_table(
        "interest_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contributor", sa.String(64), nullable=True),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("profession_slug", sa.String(120), nullable=True),
        sa.Column("field", sa.String(1), nullable=True),
        sa.Column("topic", sa.String(40), nullable=True),
        sa.Column("municipality", sa.String(120), nullable=True),
        sa.Column("offer_kind", sa.String(20), nullable=True),
        sa.Column("radius_km", sa.SmallInteger(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interest_signals")),
        sa.CheckConstraint(
            "source IN ('lookup', 'topic', 'offer_search', 'contact_request')",
            name=op.f("ck_interest_signals_source_known"),
        ),
    )
    op.create_index("ix_interest_signals_month_field", "interest_signals", ["month", "field"])
    op.create_index("ix_interest_signals_contributor", "interest_signals", ["contributor"])

    op.create_table(
        "handoff_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_signals")),
    )
    op.create_index("ix_handoff_signals_month", "handoff_signals", ["month"])

    op.create_table(
        "interest_aggregates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("field", sa.String(1), nullable=True),
        sa.Column("municipality", sa.String(120), nullable=True),
        sa.Column("contributors", sa.Integer(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interest_aggregates")),
        sa.CheckConstraint("contributors > 0", name=op.f("ck_interest_aggregates_contributors_positive")),
    )
    op.create_index("ix_interest_aggregates_month", "interest_aggregates", ["month"])


def downgrade() -> None:
    op.drop_index("ix_interest_aggregates_month", table_name="interest_aggregates")
    op.drop_table("interest_aggregates")
    op.drop_index("ix_handoff_signals_month", table_name="handoff_signals")
    op.drop_table("handoff_signals")
    op.drop_index("ix_interest_signals_contributor", table_name="interest_signals")
    op.drop_index("ix_interest_signals_month_field", table_name="interest_signals")
    op.drop_table("interest_signals")
    op.drop_index("ix_check_signals_contributor", table_name="check_signals")
    op.drop_index("ix_check_signals_month", table_name="check_signals")
    op.drop_table("check_signals")
