"""Creating accounts, signing in by password or one-time link, and the sessions that follow.

Every function takes the database session and the current time where it matters; callers commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from api.accounts import credentials
from api.accounts.exceptions import AccountError
from api.accounts.models import Account, AccountSession, LinkPurpose, Role, SignInLink
from api.companies.models import Company
from api.core.config import Settings
from api.core.models import utc_now

# A session's last request is written at most this often (not on every page view).
TOUCH_INTERVAL = timedelta(minutes=1)
# Where each role starts after signing in.
HOME_PAGES = {
    Role.ADVISOR: "/advisor",
    Role.ADMIN: "/admin/accounts",
    Role.DISTRICT: "/district",
    Role.COMPANY: "/company",
}


def home_page(account: Account) -> str:
    return HOME_PAGES[Role(account.role)]


def account_usable(session: Session, account: Account) -> bool:
    """Not disabled, and for a clerk: the company is not suspended (its clerks cannot sign in)."""
    if account.disabled_at is not None:
        return False
    if account.company_id is not None:
        company = session.get(Company, account.company_id)
        return company is not None and company.suspended_at is None
    return True


def find_account(session: Session, email: str) -> Account | None:
    normalized = credentials.normalize_email(email)
    if not normalized or len(normalized) > credentials.EMAIL_MAX_LENGTH:
        return None
    return session.scalar(select(Account).where(Account.email == normalized))


def create_account(session: Session, email: str, role: str, company_id: int | None = None) -> Account:
    """A new account without a password (the caller commits; the person signs in with a link first).
    Raises AccountError with a code the pages translate."""
    normalized = credentials.normalize_email(email)
    if not credentials.is_email(normalized):
        raise AccountError("invalid-email", f"{email!r} is not an email address")
    if role not in {member.value for member in Role}:
        raise AccountError(
            "unknown-role", f"role must be one of {', '.join(member.value for member in Role)}"
        )
    if role == Role.COMPANY and company_id is None:
        raise AccountError("company-required", "a company account needs --company (the company's id)")
    if role != Role.COMPANY and company_id is not None:
        raise AccountError("company-not-allowed", f"only company accounts belong to a company, not {role}")
    if company_id is not None and session.get(Company, company_id) is None:
        raise AccountError("unknown-company", f"there is no company with id {company_id}")
    if find_account(session, normalized) is not None:
        raise AccountError("email-taken", f"there already is an account for {normalized}")
    account = Account(email=normalized, role=role, company_id=company_id)
    session.add(account)
    session.flush()
    return account


def password_problem(password: str, email: str) -> str | None:
    """The code of what is wrong with a new password, or None."""
    if len(password) < credentials.PASSWORD_MIN_LENGTH:
        return "password-too-short"
    if len(password) > credentials.PASSWORD_MAX_LENGTH:
        return "password-too-long"
    if password.strip().lower() == email:
        return "password-is-email"
    return None


def set_password(
    account: Account, password: str, hasher: PasswordHasher, now: datetime | None = None
) -> None:
    account.password_hash = credentials.hash_password(hasher, password)
    account.password_changed_at = now or utc_now()


def authenticate(
    session: Session, email: str, password: str, hasher: PasswordHasher, now: datetime | None = None
) -> Account | None:
    """The account when email and password match; None otherwise, after the same amount of work."""
    account = find_account(session, email)
    usable = account is not None and account_usable(session, account)
    stored = account.password_hash if account is not None and usable else None
    if not credentials.verify_password(hasher, stored, password) or account is None:
        return None
    if stored is not None and credentials.needs_rehash(hasher, stored):
        set_password(account, password, hasher, now)
    return account


# --- one-time links ---------------------------------------------------------------------------


def issue_link(
    session: Session,
    account: Account,
    purpose: LinkPurpose,
    valid_for: timedelta,
    now: datetime | None = None,
) -> str:
    """A new link token for `account` (shown once; only its hash is stored)."""
    now = now or utc_now()
    token = credentials.new_token()
    session.add(
        SignInLink(
            account_id=account.id,
            token_hash=credentials.hash_token(token),
            purpose=purpose.value,
            created_at=now,
            expires_at=now + valid_for,
        )
    )
    session.flush()
    return token


def link_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url}/login/link?token={token}"


def valid_link(session: Session, token: str, now: datetime | None = None) -> SignInLink | None:
    """The unused, unexpired link of `token`, without using it up (for the page that shows the form)."""
    if not credentials.is_token(token):
        return None
    now = now or utc_now()
    link = session.scalar(select(SignInLink).where(SignInLink.token_hash == credentials.hash_token(token)))
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    return link


def redeem_link(session: Session, token: str, now: datetime | None = None) -> Account | None:
    """Use the link up and return its account; None when it is unknown, used, expired or disabled.

    One conditional UPDATE marks it used, so two requests racing with the same link cannot both win.
    """
    if not credentials.is_token(token):
        return None
    now = now or utc_now()
    token_hash = credentials.hash_token(token)
    used = session.execute(
        update(SignInLink)
        .where(SignInLink.token_hash == token_hash, SignInLink.used_at.is_(None), SignInLink.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(used, "rowcount", 0) != 1:
        return None
    account_id = session.scalar(select(SignInLink.account_id).where(SignInLink.token_hash == token_hash))
    account = session.get(Account, account_id) if account_id is not None else None
    if account is None or not account_usable(session, account):
        return None
    return account


# --- sessions ---------------------------------------------------------------------------------


def start_session(session: Session, account: Account, settings: Settings, now: datetime | None = None) -> str:
    """A new session for `account`; returns the token for the cookie."""
    now = now or utc_now()
    token = credentials.new_token()
    session.add(
        AccountSession(
            account_id=account.id,
            token_hash=credentials.hash_token(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_max_hours),
        )
    )
    account.last_sign_in_at = now
    session.flush()
    return token


@dataclass(frozen=True)
class ActiveSession:
    row: AccountSession
    account: Account


def find_session(
    session: Session, token: str, settings: Settings, now: datetime | None = None
) -> ActiveSession | None:
    """The live session of `token` and its account; None when unknown, idle too long or expired."""
    if not credentials.is_token(token):
        return None
    now = now or utc_now()
    row = session.scalar(
        select(AccountSession).where(AccountSession.token_hash == credentials.hash_token(token))
    )
    if row is None:
        return None
    idle_limit = row.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if row.expires_at <= now or idle_limit <= now:
        session.delete(row)
        session.commit()
        return None
    account = session.get(Account, row.account_id)
    if account is None or not account_usable(session, account):
        return None
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now
        session.commit()
    return ActiveSession(row=row, account=account)


def end_session(session: Session, token: str) -> None:
    if credentials.is_token(token):
        session.execute(
            delete(AccountSession).where(AccountSession.token_hash == credentials.hash_token(token))
        )


def purge_expired(session: Session, settings: Settings, now: datetime | None = None) -> tuple[int, int]:
    """Delete sessions past their end or idle limit, and links that can no longer be used."""
    now = now or utc_now()
    idle_since = now - timedelta(minutes=settings.session_idle_minutes)
    sessions = session.execute(
        delete(AccountSession).where(
            (AccountSession.expires_at <= now) | (AccountSession.last_seen_at <= idle_since)
        )
    )
    links = session.execute(
        delete(SignInLink).where((SignInLink.expires_at <= now) | SignInLink.used_at.is_not(None))
    )
    return getattr(sessions, "rowcount", 0), getattr(links, "rowcount", 0)


def disable_account(session: Session, account: Account, now: datetime | None = None) -> None:
    """No more sign-ins; every session and open link of the account ends now."""
    account.disabled_at = now or utc_now()
    session.execute(delete(AccountSession).where(AccountSession.account_id == account.id))
    session.execute(delete(SignInLink).where(SignInLink.account_id == account.id))


def list_accounts(session: Session) -> list[tuple[Account, str | None]]:
    """Every account with its company's name, by role and email."""
    rows = session.execute(
        select(Account, Company.name)
        .outerjoin(Company, Company.id == Account.company_id)
        .order_by(Account.role, Account.email)
    )
    return [(account, company) for account, company in rows]
