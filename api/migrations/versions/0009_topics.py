"""Topics pupils explore occupations by, and the occupations of each topic (knowledge/topics.yaml).

Revision ID: 0009_topics
Revises: 0008_matching_evidence
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009_topics"
down_revision: str | None = "0008_matching_evidence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def timestamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "topics",
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_de", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        *timestamps(),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_topics")),
    )
    op.create_table(
        "profession_topics",
        sa.Column("topic_key", sa.String(40), nullable=False),
        sa.Column("profession_slug", sa.String(120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *timestamps(),
        sa.ForeignKeyConstraint(
            ["topic_key"],
            ["topics.key"],
            name=op.f("fk_profession_topics_topic_key_topics"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["profession_slug"],
            ["professions.slug"],
            name=op.f("fk_profession_topics_profession_slug_professions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("topic_key", "profession_slug", name=op.f("pk_profession_topics")),
    )
    op.create_index("ix_profession_topics_profession_slug", "profession_topics", ["profession_slug"])


def downgrade() -> None:
    op.drop_index("ix_profession_topics_profession_slug", table_name="profession_topics")
    op.drop_table("profession_topics")
    op.drop_table("topics")
