"""Professions, the vocabularies that label them, and the knowledge meta table.

Revision ID: 0001_professions
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_professions"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def json_type() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def timestamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "professions",
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_masc", sa.String(200), nullable=False),
        sa.Column("name_fem", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("training_type", sa.String(30), nullable=False),
        sa.Column("duration_months", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(2), nullable=False),
        sa.Column("riasec", sa.String(3), nullable=False),
        sa.Column("kldb_code", sa.String(5), nullable=False),
        sa.Column("certificate_typical", sa.String(30), nullable=False),
        sa.Column("certificate_required", sa.String(30), nullable=False),
        sa.Column("legal_minimum_pay", sa.Boolean(), nullable=False),
        sa.Column("profile", json_type(), nullable=False),
        *timestamps(),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_professions")),
        sa.CheckConstraint("duration_months > 0", name=op.f("ck_professions_duration_positive")),
    )
    op.create_index("ix_professions_field", "professions", ["field"])
    op.create_index("ix_professions_training_type", "professions", ["training_type"])

    op.create_table(
        "vocabulary_terms",
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("code", sa.String(30), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("label_de", sa.String(200), nullable=False),
        sa.Column("label_en", sa.String(200), nullable=False),
        *timestamps(),
        sa.PrimaryKeyConstraint("kind", "code", name=op.f("pk_vocabulary_terms")),
    )

    op.create_table(
        "knowledge_meta",
        sa.Column("key", sa.String(50), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        *timestamps(),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_knowledge_meta")),
    )


def downgrade() -> None:
    op.drop_table("knowledge_meta")
    op.drop_table("vocabulary_terms")
    op.drop_index("ix_professions_training_type", table_name="professions")
    op.drop_index("ix_professions_field", table_name="professions")
    op.drop_table("professions")
