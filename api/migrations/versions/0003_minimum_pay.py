"""Legal minimum apprentice pay (§ 17 BBiG) per start year and training year.

Revision ID: 0003_minimum_pay
Revises: 0002_municipalities
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_minimum_pay"
down_revision: str | None = "0002_municipalities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "minimum_pay",
        sa.Column("start_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("training_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("eur_per_month", sa.Integer(), nullable=False),
        sa.Column("legal_basis", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("start_year", "training_year", name=op.f("pk_minimum_pay")),
        sa.CheckConstraint("training_year BETWEEN 1 AND 4", name=op.f("ck_minimum_pay_training_year_range")),
        sa.CheckConstraint("eur_per_month > 0", name=op.f("ck_minimum_pay_amount_positive")),
    )


def downgrade() -> None:
    op.drop_table("minimum_pay")
