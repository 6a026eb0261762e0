"""Matching with resolution: six interest scores per occupation, the occupations each check item
stands for, and what a saved check result needs to be matched again (answers, radius, kind).

Revision ID: 0008_matching_evidence
Revises: 0007_check_results
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008_matching_evidence"
down_revision: str | None = "0007_check_results"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTEREST_COLUMNS = tuple(f"interest_{code}" for code in "riasec")


def timestamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("professions") as batch:
        for name in INTEREST_COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))
            batch.create_check_constraint(op.f(f"ck_professions_{name}_range"), f"{name} BETWEEN 0 AND 100")
    op.create_table(
        "check_item_occupations",
        sa.Column("item_id", sa.String(10), nullable=False),
        sa.Column("profession_slug", sa.String(120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *timestamps(),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["check_items.id"],
            name=op.f("fk_check_item_occupations_item_id_check_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "profession_slug", name=op.f("pk_check_item_occupations")),
    )
    with op.batch_alter_table("check_results") as batch:
        batch.add_column(sa.Column("answers", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("radius_km", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("looking_for", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("check_results") as batch:
        batch.drop_column("looking_for")
        batch.drop_column("radius_km")
        batch.drop_column("answers")
    op.drop_table("check_item_occupations")
    with op.batch_alter_table("professions") as batch:
        for name in INTEREST_COLUMNS:
            batch.drop_constraint(op.f(f"ck_professions_{name}_range"), type_="check")
            batch.drop_column(name)
