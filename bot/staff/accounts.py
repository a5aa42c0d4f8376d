"""Staff accounts: scrypt password hashes, login with lock-out, and server-side sessions.

Every function takes the Session of the caller's unit of work.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.errors import DutchMessageError
from bot.staff.models import StaffSession, StaffUser
from bot.tickets.models import as_utc

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=8)
MIN_PASSWORD_CHARS = 12
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
# Verified against for unknown users, so a wrong username takes as long as a wrong password.
_DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


class AccountError(DutchMessageError):
    """A staff account cannot be created or changed as asked."""


class LoginError(DutchMessageError):
    """A login failed; the Dutch message never says whether the username exists."""


def hash_password(password: str) -> str:
    """A salted scrypt hash in the form ``scrypt$n$r$p$salt$hash``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "$".join(["scrypt", str(_SCRYPT["n"]), str(_SCRYPT["r"]), str(_SCRYPT["p"]),
                     base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), dklen=len(expected),
                                n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return scheme == "scrypt" and hmac.compare_digest(actual, expected)


def add_user(session: Session, username: str, password: str, now: datetime) -> StaffUser:
    """Create an account.

    Raises:
        AccountError: the name is not allowed or taken, or the password is too short.
    """
    username = username.strip().lower()
    if not _USERNAME.fullmatch(username):
        raise AccountError("bad username",
                           "Gebruik 2 tot 64 kleine letters, cijfers, punt, streep of liggend streepje.")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError("short password", f"Een wachtwoord heeft minstens {MIN_PASSWORD_CHARS} tekens.")
    if session.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none():
        raise AccountError("username taken", f"De gebruiker {username} bestaat al.")
    user = StaffUser(username=username, password_hash=hash_password(password), active=True, failed_logins=0,
                     created_at=now)
    session.add(user)
    session.flush()
    return user


def unlock_user(session: Session, username: str) -> None:
    """Lift a lock-out.

    Raises:
        AccountError: no such user.
    """
    user = session.execute(select(StaffUser).where(StaffUser.username == username.strip().lower())).scalar_one_or_none()
    if user is None:
        raise AccountError("unknown user", f"Er is geen gebruiker {username}.")
    user.failed_logins = 0
    user.locked_until = None


def authenticate(session: Session, username: str, password: str, now: datetime) -> StaffUser | LoginError:
    """Check a login; after ``MAX_FAILED_LOGINS`` failures the account is locked for ``LOCKOUT``.

    A failure is *returned*, not raised: the failed-attempt count must be committed with the unit
    of work, which an exception would roll back.
    """
    user = session.execute(select(StaffUser).where(StaffUser.username == username.strip().lower())).scalar_one_or_none()
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)
        return LoginError("bad credentials", "Gebruikersnaam of wachtwoord klopt niet.")
    locked_until = as_utc(user.locked_until)
    if locked_until is not None and locked_until > now:
        return LoginError("locked", "Dit account is tijdelijk geblokkeerd na te veel mislukte pogingen. "
                                   "Probeer het over 15 minuten opnieuw of vraag een beheerder.")
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        return LoginError("bad credentials", "Gebruikersnaam of wachtwoord klopt niet.")
    user.failed_logins = 0
    user.locked_until = None
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class LoggedIn:
    """A valid session: who, and the CSRF token its forms must carry."""

    username: str
    csrf_token: str


def start_session(session: Session, user: StaffUser, now: datetime) -> tuple[str, str]:
    """A new login session; returns the cookie token (stored only hashed) and its CSRF token."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
    session.add(StaffSession(token_hash=_token_hash(token), user_id=user.id, csrf_token=csrf, created_at=now,
                             expires_at=now + SESSION_LIFETIME))
    session.flush()
    return token, csrf


def current_login(session: Session, token: str | None, now: datetime) -> LoggedIn | None:
    """The login a cookie token belongs to, if it is valid and not expired."""
    if not token:
        return None
    row = session.execute(
        select(StaffSession, StaffUser).join(StaffUser, StaffUser.id == StaffSession.user_id)
        .where(StaffSession.token_hash == _token_hash(token))
    ).one_or_none()
    if row is None:
        return None
    staff_session, user = row
    expires_at = as_utc(staff_session.expires_at)
    if not user.active or expires_at is None or expires_at <= now:
        return None
    return LoggedIn(user.username, staff_session.csrf_token)


def end_session(session: Session, token: str | None) -> None:
    """Log out: the session is removed on the server, so the cookie is worthless."""
    if token:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))
