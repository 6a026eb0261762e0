"""Command line of the API.

python -m api.cli migrate [--revision head]    apply the Alembic migrations
python -m api.cli downgrade <revision>          revert migrations (e.g. `base`)
python -m api.cli load-knowledge                mirror knowledge/ into the database
python -m api.cli serve                         run the API with uvicorn (host/port from settings)
python -m api.cli purge                         delete old contact requests, saved searches, classes and
                                                hand-offs, mark expired offers, fold monitoring signals
                                                past retention
python -m api.cli remind-expiring               (daily) email companies whose offers expire in 7 days
python -m api.cli company create --name N ...   add a company of the region; prints its id
python -m api.cli company create-key <id>       issue an API key for a company (printed once)
python -m api.cli company revoke-key <prefix>   revoke a key (the 8 characters after "blk_")
python -m api.cli account create --email E --role R [--company ID] [--send]
                                                add an account; prints a one-time sign-in link
python -m api.cli account link --email E [--send]  a new one-time sign-in link for an account
python -m api.cli account disable --email E     no more sign-ins; ends its sessions and links
python -m api.cli region-adviser add|remove --email E   an advisor account that also reads the
                                                summaries pupils send to the region's advisers
python -m api.cli region-adviser list           who reads them
python -m api.cli import-ba <file.json>         import offers from a BA job search result
python -m api.cli seed-demo [--seed 42] [--companies 800] [--offers 3000] [--if-empty]
python -m api.cli seed-demo-signals [--seed 13] [--pupils 5000] [--if-empty]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config

from api.accounts import mail
from api.accounts import service as accounts
from api.accounts.exceptions import AccountError
from api.accounts.models import LinkPurpose, Role
from api.alerts.service import purge_old_searches
from api.check.sync import read_check_bank, sync_check_bank
from api.classes.service import purge_ended_sessions
from api.clerk import service as clerk
from api.companies.service import (
    CompanyAdminError,
    CompanyDetails,
    create_api_key,
    create_company,
    revoke_api_key,
)
from api.contacts.service import purge_old_requests
from api.core.config import REPO_ROOT, Settings, get_settings
from api.core.db import session_factory_for
from api.core.models import utc_now
from api.demo.service import seed_demo
from api.imports.service import ImportFileError, ImportReport, import_ba, read_ba_file
from api.knowledge_sync.service import KnowledgeSnapshot, SyncReport, sync_knowledge
from api.monitoring.signals import purge_signals
from api.offers.service import mark_expired
from api.share import service as share
from knowledge import loader
from knowledge.check.bank import CheckBankError
from knowledge.loader import KnowledgeError
from knowledge.rules.catalogue import load_rules


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
        topics=loader.load_topics(profile_slugs=[profession.slug for profession in professions]),
        rules=list(load_rules().values()),
    )


def load_knowledge(database_url: str) -> SyncReport:
    snapshot = read_knowledge()
    check_bank = read_check_bank()
    with session_factory_for(database_url)() as session, session.begin():
        report = sync_knowledge(session, snapshot)
        report.tables.update(sync_check_bank(session, check_bank))
        return report


def print_report(report: SyncReport) -> None:
    print(f"knowledge {report.knowledge_hash[:12]}")
    for table, changes in report.tables.items():
        print(
            f"{table:<18} {changes.total:>4} rows: {changes.inserted} new, {changes.updated} changed, "
            f"{changes.unchanged} unchanged, {changes.deleted} removed"
        )


def print_import_report(report: ImportReport) -> None:
    print(
        f"offers: {report.created} new, {report.updated} changed, {report.unchanged} unchanged, "
        f"{report.skipped} skipped; companies: {report.companies_created} new"
    )
    if report.unknown_occupations:
        print("unknown occupations (not imported):")
        for beruf, count in sorted(report.unknown_occupations.items(), key=lambda item: (-item[1], item[0])):
            print(f"  {count:>4}  {beruf}")
    for label, refs in (
        ("outside the region", report.outside_region),
        ("not an apprenticeship or internship", report.other_kind),
        ("invalid", report.invalid),
    ):
        if refs:
            print(f"{label}: {', '.join(refs)}")


def company_command(args: argparse.Namespace, settings: Settings) -> int:
    with session_factory_for(settings.database_url)() as session, session.begin():
        try:
            if args.company_command == "create":
                details = CompanyDetails(
                    name=args.name,
                    email=args.email,
                    municipality=args.municipality,
                    street=args.street,
                    postcode=args.postcode,
                    sector=args.sector,
                    size=args.size,
                    contact_person=args.contact_person,
                    phone=args.phone,
                    website=args.website,
                    verified=args.verified,
                )
                print(create_company(session, details).id)
            elif args.company_command == "create-key":
                row, key = create_api_key(
                    session, args.company_id, settings.api_key_pepper.get_secret_value()
                )
                print(key)
                print(
                    f"key {row.prefix} for company {row.company_id}: shown only now, store it safely",
                    file=sys.stderr,
                )
            else:
                row = revoke_api_key(session, args.prefix)
                revoked = f"{row.revoked_at:%Y-%m-%d %H:%M} UTC"
                print(f"key {row.prefix} of company {row.company_id} revoked at {revoked}")
        except CompanyAdminError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    return 0


def add_company_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    company = commands.add_parser("company", help="companies and their API keys")
    actions = company.add_subparsers(dest="company_command", required=True)
    create = actions.add_parser("create", help="add a company; prints its id")
    create.add_argument("--name", required=True)
    create.add_argument("--email", help="where contact requests are sent")
    create.add_argument("--municipality", help="name, postcode or slug of a place in the region")
    for option in ("street", "postcode", "sector", "contact-person", "phone", "website"):
        create.add_argument(f"--{option}")
    create.add_argument("--size", choices=["micro", "small", "medium", "large"])
    create.add_argument("--verified", action="store_true")
    create_key = actions.add_parser("create-key", help="issue an API key (printed once)")
    create_key.add_argument("company_id", type=int)
    revoke = actions.add_parser("revoke-key", help="revoke an API key by its prefix")
    revoke.add_argument("prefix")


def account_command(args: argparse.Namespace, settings: Settings) -> int:
    """Create an account or issue a link; prints the link (and emails it with --send)."""
    with session_factory_for(settings.database_url)() as session, session.begin():
        try:
            if args.account_command == "create":
                account = accounts.create_account(session, args.email, args.role, args.company)
                purpose, valid_for = LinkPurpose.INVITATION, timedelta(hours=settings.invitation_valid_hours)
            else:
                found = accounts.find_account(session, args.email)
                if found is None:
                    raise AccountError("unknown-account", f"there is no account for {args.email}")
                account = found
                if args.account_command == "disable":
                    accounts.disable_account(session, account)
                    print(f"account {account.id} ({account.email}) disabled; its sessions and links are gone")
                    return 0
                if account.disabled_at is not None:
                    raise AccountError("disabled", f"the account of {account.email} is disabled")
                # handed on by an admin, so it lives as long as an invitation
                purpose, valid_for = LinkPurpose.SIGN_IN, timedelta(hours=settings.invitation_valid_hours)
            token = accounts.issue_link(session, account, purpose, valid_for)
        except AccountError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        link = accounts.link_url(settings, token)
        email, role, account_id = account.email, account.role, account.id
        expires_at = utc_now() + valid_for
        if purpose is LinkPurpose.INVITATION:
            rendered = mail.invitation_email(account, link, expires_at)
        else:
            rendered = mail.sign_in_email(link, valid_for)
    print(link)
    print(
        f"account {account_id} ({email}, {role}): the link works once, until {expires_at:%Y-%m-%d %H:%M} UTC",
        file=sys.stderr,
    )
    if args.send:
        if not mail.deliver(settings, email, rendered):
            print(
                "error: the email could not be sent (see the log); pass the link on yourself", file=sys.stderr
            )
            return 1
        print(f"invitation emailed to {email}", file=sys.stderr)
    return 0


def add_account_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    account = commands.add_parser("account", help="accounts of advisors, the district, admins, companies")
    actions = account.add_subparsers(dest="account_command", required=True)
    create = actions.add_parser("create", help="add an account; prints a one-time sign-in link")
    create.add_argument("--email", required=True)
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--company", type=int, help="the company's id (for --role company)")
    create.add_argument("--send", action="store_true", help="also email the invitation (SMTP settings)")
    link = actions.add_parser("link", help="a new one-time sign-in link for an account")
    link.add_argument("--email", required=True)
    link.add_argument("--send", action="store_true", help="also email it (SMTP settings)")
    disable = actions.add_parser("disable", help="no more sign-ins; ends its sessions and links")
    disable.add_argument("--email", required=True)


def region_adviser_command(args: argparse.Namespace, settings: Settings) -> int:
    """Mark an advisor account as one of the region's advisers (docs/handoff.md), or unmark it."""
    with session_factory_for(settings.database_url)() as session, session.begin():
        if args.region_command == "list":
            for email in share.region_advisers(session):
                print(email)
            return 0
        try:
            account = share.set_region_adviser(session, args.email, serves=args.region_command == "add")
        except LookupError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        state = "reads" if args.region_command == "add" else "no longer reads"
        print(f"{account.email} {state} the summaries sent to the region's advisers")
    return 0


def add_region_adviser_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    region = commands.add_parser("region-adviser", help="advisor accounts that read the region's hand-offs")
    actions = region.add_subparsers(dest="region_command", required=True)
    for name, text in (("add", "mark an advisor account"), ("remove", "unmark it")):
        action = actions.add_parser(name, help=text)
        action.add_argument("--email", required=True)
    actions.add_parser("list", help="the marked accounts")


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.cli", description="Berufslotse API tasks")
    commands = parser.add_subparsers(dest="command", required=True)
    migrate = commands.add_parser("migrate", help="apply migrations (alembic upgrade)")
    migrate.add_argument("--revision", default="head")
    downgrade = commands.add_parser("downgrade", help="revert migrations (alembic downgrade)")
    downgrade.add_argument("revision")
    commands.add_parser("load-knowledge", help="mirror knowledge/ into the database")
    commands.add_parser("serve", help="run the API with uvicorn")
    commands.add_parser("purge", help="delete contact requests past retention, mark expired offers")
    commands.add_parser("remind-expiring", help="email companies whose offers expire in 7 days (run daily)")
    add_company_commands(commands)
    add_account_commands(commands)
    add_region_adviser_commands(commands)
    import_ba_parser = commands.add_parser("import-ba", help="import offers from a BA job search JSON file")
    import_ba_parser.add_argument("file", type=Path)
    import_ba_parser.add_argument(
        "--angebotsart", type=int, choices=[4, 34], help="offer type when the file does not say (4 or 34)"
    )
    demo = commands.add_parser("seed-demo", help="replace the demo companies and offers")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--companies", type=int, default=800)
    demo.add_argument("--offers", type=int, default=3000)
    demo.add_argument("--if-empty", action="store_true", help="do nothing when there are offers already")
    demo_signals = commands.add_parser(
        "seed-demo-signals", help="replace the demo signals of the district's dashboard (is_demo rows)"
    )
    demo_signals.add_argument("--seed", type=int, default=13)
    demo_signals.add_argument("--pupils", type=int, default=5000)
    demo_signals.add_argument("--if-empty", action="store_true", help="do nothing when demo signals exist")
    args = parser.parse_args(argv)

    settings = settings or get_settings()
    if args.command == "migrate":
        command.upgrade(alembic_config(settings.database_url), args.revision)
    elif args.command == "downgrade":
        command.downgrade(alembic_config(settings.database_url), args.revision)
    elif args.command == "load-knowledge":
        try:
            report = load_knowledge(settings.database_url)
        except (KnowledgeError, CheckBankError) as error:
            print(f"knowledge/ is not valid; nothing was loaded.\n{error}", file=sys.stderr)
            return 1
        print_report(report)
    elif args.command == "serve":
        import uvicorn

        uvicorn.run("api.main:create_app", factory=True, host=settings.host, port=settings.port)
    elif args.command == "purge":
        with session_factory_for(settings.database_url)() as session, session.begin():
            deleted = purge_old_requests(session, settings.contact_retention_days)
            searches = purge_old_searches(session, settings.saved_search_retention_days)
            expired = mark_expired(session)
            ended_sessions, used_links = accounts.purge_expired(session, settings)
            old_classes = purge_ended_sessions(session, settings.class_retention_days, utc_now())
            handoffs = share.purge_handoffs(session)
            result_links = share.purge_result_links(session)
            signals = purge_signals(session, settings)
        print(
            f"contact requests older than {settings.contact_retention_days} days deleted: {deleted}; "
            f"offers marked expired: {expired}; "
            f"ended sessions deleted: {ended_sessions}; used or expired sign-in links deleted: {used_links}; "
            f"class sessions ended more than {settings.class_retention_days} days ago deleted: "
            f"{old_classes}; "
            f"hand-offs past their time deleted: {handoffs}; expired result links deleted: {result_links}; "
            f"monitoring signals older than {settings.signal_retention_days} days folded: "
            f"{signals.interest_rows_folded} (into {signals.aggregate_cells_kept} cells of at least "
            f"{settings.monitoring_k} pupils), checks anonymised: {signals.check_rows_anonymised}"
        )
        print(f"saved searches older than {settings.saved_search_retention_days} days deleted: {searches}")
    elif args.command == "remind-expiring":
        with session_factory_for(settings.database_url)() as session:
            sent, failed = clerk.send_expiry_reminders(session, settings)
        print(f"reminders of expiring offers sent: {sent}; failed: {failed}")
        return 1 if failed else 0
    elif args.command == "company":
        return company_command(args, settings)
    elif args.command == "account":
        return account_command(args, settings)
    elif args.command == "region-adviser":
        return region_adviser_command(args, settings)
    elif args.command == "import-ba":
        try:
            result = read_ba_file(args.file)
        except ImportFileError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        with session_factory_for(settings.database_url)() as session, session.begin():
            import_report = import_ba(session, result, default_offer_type=args.angebotsart)
        print_import_report(import_report)
    elif args.command == "seed-demo":
        with session_factory_for(settings.database_url)() as session, session.begin():
            seeded = seed_demo(
                session,
                seed=args.seed,
                companies=args.companies,
                offers=args.offers,
                only_if_empty=args.if_empty,
            )
        if seeded.skipped:
            print("there are offers already; demo data not loaded (run without --if-empty to replace it)")
        else:
            print(
                f"demo data: {seeded.companies} companies, {seeded.offers} offers, "
                f"{seeded.training_places} training places "
                f"(replaced {seeded.removed_companies} companies, {seeded.removed_offers} offers)"
            )
    elif args.command == "seed-demo-signals":
        from api.dashboard.demo import seed_demo_signals

        with session_factory_for(settings.database_url)() as session, session.begin():
            signal_report = seed_demo_signals(
                session, seed=args.seed, pupils=args.pupils, only_if_empty=args.if_empty
            )
        if signal_report.skipped:
            print("there are demo signals already; not replaced (run without --if-empty to replace them)")
        else:
            print(
                f"demo signals: {signal_report.pupils} pupils, {signal_report.checks} checks, "
                f"{signal_report.interests} interest signals, {signal_report.handoffs} hand-offs "
                f"(replaced {signal_report.removed} demo rows; real signals untouched)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
