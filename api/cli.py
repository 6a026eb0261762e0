"""Command line of the API.

python -m api.cli migrate [--revision head]    apply the Alembic migrations
python -m api.cli downgrade <revision>          revert migrations (e.g. `base`)
python -m api.cli load-knowledge                mirror knowledge/ into the database
python -m api.cli serve                         run the API with uvicorn (host/port from settings)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from alembic import command
from alembic.config import Config

from api.core.config import REPO_ROOT, Settings, get_settings
from api.core.db import session_factory_for
from api.knowledge_sync.service import KnowledgeSnapshot, SyncReport, sync_knowledge
from knowledge import loader
from knowledge.loader import KnowledgeError


def alembic_config(database_url: str, *, configure_logging: bool = True) -> Config:
    """Alembic's configuration for `database_url` (alembic.ini at the repository root)."""
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))  # ConfigParser interpolation
    config.attributes["configure_logging"] = configure_logging
    return config


def read_knowledge() -> KnowledgeSnapshot:
    """Everything from knowledge/; raises KnowledgeError listing every problem."""
    vocab = loader.load_vocab()
    professions = loader.load_professions(vocab=vocab)
    return KnowledgeSnapshot(
        professions=professions,
        vocab=vocab,
        municipalities=loader.load_municipalities(),
        minimum_pay=loader.load_minimum_pay(),
        agreed_pay=loader.load_agreed_pay(professions),
        knowledge_hash=loader.knowledge_hash(),
    )


def load_knowledge(database_url: str) -> SyncReport:
    snapshot = read_knowledge()
    with session_factory_for(database_url)() as session, session.begin():
        return sync_knowledge(session, snapshot)


def print_report(report: SyncReport) -> None:
    print(f"knowledge {report.knowledge_hash[:12]}")
    for table, changes in report.tables.items():
        print(
            f"{table:<18} {changes.total:>4} rows: {changes.inserted} new, {changes.updated} changed, "
            f"{changes.unchanged} unchanged, {changes.deleted} removed"
        )


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.cli", description="Berufslotse API tasks")
    commands = parser.add_subparsers(dest="command", required=True)
    migrate = commands.add_parser("migrate", help="apply migrations (alembic upgrade)")
    migrate.add_argument("--revision", default="head")
    downgrade = commands.add_parser("downgrade", help="revert migrations (alembic downgrade)")
    downgrade.add_argument("revision")
    commands.add_parser("load-knowledge", help="mirror knowledge/ into the database")
    commands.add_parser("serve", help="run the API with uvicorn")
    args = parser.parse_args(argv)

    settings = settings or get_settings()
    if args.command == "migrate":
        command.upgrade(alembic_config(settings.database_url), args.revision)
    elif args.command == "downgrade":
        command.downgrade(alembic_config(settings.database_url), args.revision)
    elif args.command == "load-knowledge":
        try:
            report = load_knowledge(settings.database_url)
        except KnowledgeError as error:
            print(f"knowledge/ is not valid; nothing was loaded.\n{error}", file=sys.stderr)
            return 1
        print_report(report)
    elif args.command == "serve":
        import uvicorn

        uvicorn.run("api.main:create_app", factory=True, host=settings.host, port=settings.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
