"""The career-choice check: item bank and pseudonymous records of completed checks.

check_items, check_types, check_answer_options and check_texts are filled by load-knowledge from
knowledge/check; check_results holds one record per pupil (no chat id, no free text, no time).

Revision ID: 0007_check_results
Revises: 0006_contact_requests
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007_check_results"
down_revision: str | None = "0006_contact_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def timestamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "check_items",
        sa.Column("id", sa.String(10), nullable=False),
        sa.Column("type", sa.String(1), nullable=False),
        sa.Column("quick_position", sa.Integer(), nullable=True),
        sa.Column("full_position", sa.Integer(), nullable=False),
        sa.Column("text_de", sa.String(300), nullable=False),
        sa.Column("text_en", sa.String(300), nullable=False),
        sa.Column("example_occupation", sa.String(120), nullable=False),
        *timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_items")),
        sa.CheckConstraint("type IN ('R', 'I', 'A', 'S', 'E', 'C')", name=op.f("ck_check_items_type_riasec")),
        sa.CheckConstraint("full_position > 0", name=op.f("ck_check_items_full_position_positive")),
    )
    op.create_table(
        "check_types",
        sa.Column("code", sa.String(1), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("emoji", sa.String(20), nullable=False),
        sa.Column("name_de", sa.String(100), nullable=False),
        sa.Column("name_en", sa.String(100), nullable=False),
        sa.Column("short_de", sa.String(50), nullable=False),
        sa.Column("short_en", sa.String(50), nullable=False),
        sa.Column("explanation_de", sa.Text(), nullable=False),
        sa.Column("explanation_en", sa.Text(), nullable=False),
        sa.Column("reason_de", sa.Text(), nullable=False),
        sa.Column("reason_en", sa.Text(), nullable=False),
        *timestamps(),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_check_types")),
    )
    op.create_table(
        "check_answer_options",
        sa.Column("value", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("meaning_de", sa.String(100), nullable=False),
        sa.Column("meaning_en", sa.String(100), nullable=False),
        sa.Column("button_de", sa.String(50), nullable=False),
        sa.Column("button_en", sa.String(50), nullable=False),
        *timestamps(),
        sa.PrimaryKeyConstraint("value", name=op.f("pk_check_answer_options")),
        sa.CheckConstraint("value BETWEEN 1 AND 5", name=op.f("ck_check_answer_options_value_range")),
    )
    op.create_table(
        "check_texts",
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("de", sa.Text(), nullable=False),
        sa.Column("en", sa.Text(), nullable=False),
        *timestamps(),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_check_texts")),
    )
    op.create_table(
        "check_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_ref", sa.String(200), nullable=False),
        sa.Column("variant", sa.String(10), nullable=False),
        *(sa.Column(f"score_{code}", sa.Float(), nullable=True) for code in "riasec"),
        sa.Column("certificate", sa.String(30), nullable=True),
        sa.Column("municipality", sa.String(120), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_results")),
        sa.UniqueConstraint("pupil_ref", name=op.f("uq_check_results_pupil_ref")),
        sa.CheckConstraint("variant IN ('quick', 'full')", name=op.f("ck_check_results_variant_known")),
        *(
            sa.CheckConstraint(
                f"score_{code} BETWEEN 0 AND 100", name=op.f(f"ck_check_results_score_{code}_range")
            )
            for code in "riasec"
        ),
    )
    op.create_index(
        "ix_check_results_municipality_certificate", "check_results", ["municipality", "certificate"]
    )


def downgrade() -> None:
    op.drop_index("ix_check_results_municipality_certificate", table_name="check_results")
    op.drop_table("check_results")
    op.drop_table("check_texts")
    op.drop_table("check_answer_options")
    op.drop_table("check_types")
    op.drop_table("check_items")
