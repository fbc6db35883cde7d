"""Officer accounts: creation with a checked role and jurisdiction, and sign-in."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from dancu.adminunit import service as adminunit
from dancu.auth.errors import BadCredentials, InvalidOfficer, UsernameTaken
from dancu.auth.models import Officer
from dancu.auth.principal import Principal, Role

_hasher = PasswordHasher()
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
# A dummy hash, verified when the username is unknown, so that timing does not reveal which
# usernames exist.
_DUMMY_HASH = _hasher.hash("dancu-dummy-password")


def _check_jurisdiction(session: Session, role: Role, jurisdiction: str | None) -> str | None:
    if role in (Role.CENTRAL_ADMIN, Role.AUDITOR):
        if jurisdiction:
            raise InvalidOfficer(f"the {role.value} role is national and takes no jurisdiction")
        return None
    if not jurisdiction:
        raise InvalidOfficer(f"the {role.value} role needs --jurisdiction (a current unit code)")
    if role is Role.PROVINCE_OFFICER:
        return adminunit.get_province(session, jurisdiction).code
    commune = adminunit.get_commune(session, jurisdiction)
    return commune.code


def create_officer(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    jurisdiction_code: str | None = None,
    full_name: str = "",
) -> Officer:
    """Create an officer. Commune officers are bound to a current commune, province officers to a
    current province; passwords are stored as argon2id hashes only."""
    try:
        parsed_role = Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role if r is not Role.SYSTEM)
        raise InvalidOfficer(f"unknown role {role!r}; use one of: {allowed}") from None
    if parsed_role is Role.SYSTEM:
        raise InvalidOfficer("the system role cannot be given to an account")
    if not _USERNAME.match(username):
        raise InvalidOfficer(
            "a username is 3-64 characters: lower-case letters, digits, '.', '_' or '-'"
        )
    if len(password) < 8:
        raise InvalidOfficer("a password needs at least 8 characters")
    jurisdiction = _check_jurisdiction(session, parsed_role, jurisdiction_code)
    if session.scalar(select(Officer.id).where(Officer.username == username)) is not None:
        raise UsernameTaken(f"the username {username!r} is already taken")
    officer = Officer(
        username=username,
        full_name=full_name,
        password_hash=_hasher.hash(password),
        role=parsed_role.value,
        jurisdiction_code=jurisdiction,
    )
    session.add(officer)
    session.flush()
    return officer


def authenticate(session: Session, *, username: str, password: str) -> Principal:
    officer = session.scalar(select(Officer).where(Officer.username == username))
    try:
        _hasher.verify(officer.password_hash if officer else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise BadCredentials("wrong username or password") from None
    if officer is None or not officer.active:
        raise BadCredentials("wrong username or password")
    return principal_of(officer)


def principal_of(officer: Officer) -> Principal:
    return Principal(
        username=officer.username,
        role=Role(officer.role),
        jurisdiction_code=officer.jurisdiction_code,
        officer_id=officer.id,
    )
