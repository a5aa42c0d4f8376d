"""Staff accounts on SQLite and PostgreSQL: hashing, lock-out, sessions that end on the server."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.staff.accounts import (
    MAX_FAILED_LOGINS,
    AccountError,
    LoginError,
    add_user,
    authenticate,
    current_login,
    end_session,
    hash_password,
    start_session,
    unlock_user,
    verify_password,
)
from bot.staff.models import StaffUser

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
PASSWORD = "lang-genoeg-wachtwoord"


def test_hashes_are_salted_and_verify():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second and PASSWORD not in first and first.startswith("scrypt$")
    assert verify_password(first, PASSWORD) and not verify_password(first, PASSWORD + "x")
    assert not verify_password("kapot", PASSWORD)


def test_accounts_need_a_good_name_and_a_long_password(database):
    with database.unit_of_work() as session:
        add_user(session, "Anna", PASSWORD, NOW)
    for name, password, problem in (("anna", PASSWORD, "username taken"), ("a b", PASSWORD, "bad username"),
                                    ("piet", "kort", "short password")):
        with pytest.raises(AccountError) as refused, database.unit_of_work() as session:
            add_user(session, name, password, NOW)
        assert refused.value.problem == problem


def test_lock_out_after_repeated_failures_and_unlock(database):
    with database.unit_of_work() as session:
        add_user(session, "anna", PASSWORD, NOW)
    for attempt in range(MAX_FAILED_LOGINS):  # each attempt is its own unit of work, as in the console
        with database.unit_of_work() as session:
            failed = authenticate(session, "anna", "fout", NOW + timedelta(seconds=attempt))
        assert isinstance(failed, LoginError) and failed.problem == "bad credentials"
    with database.unit_of_work() as session:
        locked = authenticate(session, "anna", PASSWORD, NOW + timedelta(minutes=1))  # right password, still locked
    assert isinstance(locked, LoginError) and locked.problem == "locked"
    with database.unit_of_work() as session:
        assert authenticate(session, "anna", PASSWORD, NOW + timedelta(minutes=16)).username == "anna"
    for _ in range(MAX_FAILED_LOGINS):
        with database.unit_of_work() as session:
            assert isinstance(authenticate(session, "anna", "fout", NOW + timedelta(minutes=20)), LoginError)
    with database.unit_of_work() as session:
        unlock_user(session, "anna")
    with database.unit_of_work() as session:
        assert authenticate(session, "anna", PASSWORD, NOW + timedelta(minutes=20)).username == "anna"


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(database):
    with database.unit_of_work() as session:
        unknown = authenticate(session, "niemand", PASSWORD, NOW)
    assert isinstance(unknown, LoginError) and unknown.problem == "bad credentials"


def test_sessions_expire_and_end_on_logout(database):
    with database.unit_of_work() as session:
        user = add_user(session, "anna", PASSWORD, NOW)
        token, csrf = start_session(session, user, NOW)
        stored = session.query(StaffUser).count()
    assert stored == 1
    with database.unit_of_work() as session:
        login = current_login(session, token, NOW + timedelta(hours=1))
        assert login is not None and login.username == "anna" and login.csrf_token == csrf
        assert current_login(session, token, NOW + timedelta(hours=9)) is None  # expired
        assert current_login(session, "verzonnen", NOW) is None and current_login(session, None, NOW) is None
        end_session(session, token)
    with database.unit_of_work() as session:
        assert current_login(session, token, NOW + timedelta(minutes=5)) is None
