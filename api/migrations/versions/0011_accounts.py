"""Accounts of advisors, the district office, admins and company clerks; their sessions and one-time
sign-in links (secrets only as hashes).

Revision ID: 0011_accounts
Revises: 0010_knowledge_search
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_accounts"
down_revision: str | None = "0010_knowledge_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_accounts_company_id_companies"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("email", name=op.f("uq_accounts_email")),
        sa.CheckConstraint(
            "role IN ('advisor', 'district', 'admin', 'company')", name=op.f("ck_accounts_role_known")
        ),
        sa.CheckConstraint(
            "(role = 'company' AND company_id IS NOT NULL) OR (role <> 'company' AND company_id IS NULL)",
            name=op.f("ck_accounts_company_for_company_role"),
        ),
    )
    op.create_index("ix_accounts_company_id", "accounts", ["company_id"])

    op.create_table(
        "account_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_sessions")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_sessions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_sessions_token_hash")),
    )
    op.create_index("ix_account_sessions_account_id", "account_sessions", ["account_id"])

    op.create_table(
        "sign_in_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_links")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_sign_in_links_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_in_links_token_hash")),
        sa.CheckConstraint("purpose IN ('invitation', 'sign-in')", name=op.f("ck_sign_in_links_purpose_known")),
    )
    op.create_index("ix_sign_in_links_account_id", "sign_in_links", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_links_account_id", table_name="sign_in_links")
    op.drop_table("sign_in_links")
    op.drop_index("ix_account_sessions_account_id", table_name="account_sessions")
    op.drop_table("account_sessions")
    op.drop_index("ix_accounts_company_id", table_name="accounts")
    op.drop_table("accounts")
