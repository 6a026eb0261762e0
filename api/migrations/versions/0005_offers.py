"""Offers: apprenticeships, dual study places, internships and Praktikumswoche days.

Revision ID: 0005_offers
Revises: 0004_companies
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_offers"
down_revision: str | None = "0004_companies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: dict[str, list[str]] = {
    "ix_offers_status_expires_at": ["status", "expires_at"],
    "ix_offers_profession_slug": ["profession_slug"],
    "ix_offers_kind": ["kind"],
    "ix_offers_start_date": ["start_date"],
    "ix_offers_lat_lon": ["lat", "lon"],
    "ix_offers_company_id": ["company_id"],
    "ix_offers_municipality_slug": ["municipality_slug"],
    "ix_offers_is_demo": ["is_demo"],
}


def upgrade() -> None:
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("profession_slug", sa.String(120), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("municipality_slug", sa.String(120), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("certificate_expected", sa.String(30), nullable=True),
        sa.Column("apply_url", sa.String(500), nullable=True),
        sa.Column("apply_contact", sa.String(300), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("external_ref", sa.String(60), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_offers_company_id_companies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["profession_slug"], ["professions.slug"], name=op.f("fk_offers_profession_slug_professions")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_slug"],
            ["municipalities.slug"],
            name=op.f("fk_offers_municipality_slug_municipalities"),
        ),
        sa.UniqueConstraint("external_ref", name=op.f("uq_offers_external_ref")),
        sa.CheckConstraint(
            "kind IN ('apprenticeship', 'dual_study', 'internship', 'praktikumswoche')",
            name=op.f("ck_offers_kind_known"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'filled', 'withdrawn', 'expired')", name=op.f("ck_offers_status_known")
        ),
        sa.CheckConstraint("source IN ('company', 'ba', 'demo')", name=op.f("ck_offers_source_known")),
        sa.CheckConstraint("places > 0", name=op.f("ck_offers_places_positive")),
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "offers", columns)


def downgrade() -> None:
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="offers")
    op.drop_table("offers")
