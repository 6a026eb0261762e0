"""Pupils' saved searches ("sag mir Bescheid, wenn es was Neues gibt") and the offers announced
for each (one alert per offer and search).

Revision ID: 0016_saved_searches
Revises: 0015_company_admin
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_saved_searches"
down_revision: str | None = "0015_company_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_ref", sa.String(200), nullable=False),
        sa.Column("profession_slug", sa.String(120), nullable=True),
        sa.Column("topic_key", sa.String(40), nullable=True),
        sa.Column("kind", sa.String(20), nullable=True),
        sa.Column("municipality_slug", sa.String(120), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("radius_km", sa.Float(), nullable=True),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("delivery_token", sa.String(64), nullable=True),
        sa.Column("last_alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_searches")),
        sa.ForeignKeyConstraint(
            ["profession_slug"],
            ["professions.slug"],
            name=op.f("fk_saved_searches_profession_slug_professions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_key"], ["topics.key"], name=op.f("fk_saved_searches_topic_key_topics"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["municipality_slug"],
            ["municipalities.slug"],
            name=op.f("fk_saved_searches_municipality_slug_municipalities"),
            ondelete="SET NULL",
        ),
        sa.CheckConstraint(
            "profession_slug IS NOT NULL OR topic_key IS NOT NULL",
            name=op.f("ck_saved_searches_profession_or_topic"),
        ),
        sa.CheckConstraint("language IN ('de', 'en')", name=op.f("ck_saved_searches_language_known")),
    )
    op.create_index("ix_saved_searches_pupil_ref", "saved_searches", ["pupil_ref"])
    op.create_index("ix_saved_searches_created_at", "saved_searches", ["created_at"])
    op.create_table(
        "saved_search_offers",
        sa.Column("saved_search_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("saved_search_id", "offer_id", name=op.f("pk_saved_search_offers")),
        sa.ForeignKeyConstraint(
            ["saved_search_id"],
            ["saved_searches.id"],
            name=op.f("fk_saved_search_offers_saved_search_id_saved_searches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_saved_search_offers_offer_id_offers"), ondelete="CASCADE"
        ),
    )
    op.create_index("ix_saved_search_offers_offer_id", "saved_search_offers", ["offer_id"])


def downgrade() -> None:
    op.drop_index("ix_saved_search_offers_offer_id", table_name="saved_search_offers")
    op.drop_table("saved_search_offers")
    op.drop_index("ix_saved_searches_created_at", table_name="saved_searches")
    op.drop_index("ix_saved_searches_pupil_ref", table_name="saved_searches")
    op.drop_table("saved_searches")
