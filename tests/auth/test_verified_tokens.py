"""Officers' tokens are checked once and then remembered until they expire: a remembered token
is never accepted past its expiry, and a token altered in any byte is checked (and refused)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from dancu.auth import tokens
from dancu.auth.errors import InvalidToken
from dancu.auth.principal import Principal, Role
from dancu.auth.tokens import VerifiedTokens, issue_token

KEY, ISSUER = b"k" * 32, "dancu-test"
ALICE = Principal("alice", Role.PROVINCE_OFFICER, jurisdiction_code="01", officer_id=7)


def test_a_token_is_checked_once_and_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    token = issue_token(ALICE, key=KEY, issuer=ISSUER, minutes=5)
    verified = VerifiedTokens(key=KEY, issuer=ISSUER)
    assert verified.principal(token) == ALICE
    checks = []
    real = tokens._read
    monkeypatch.setattr(tokens, "_read", lambda *a, **k: checks.append(1) or real(*a, **k))
    assert verified.principal(token) == ALICE and checks == []


def test_a_remembered_token_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    token = issue_token(ALICE, key=KEY, issuer=ISSUER, minutes=5)
    verified = VerifiedTokens(key=KEY, issuer=ISSUER)
    verified.principal(token)
    later = datetime.now(UTC) + timedelta(minutes=6)
    monkeypatch.setattr(tokens, "now", lambda: later)
    monkeypatch.setattr(time, "time", later.timestamp)  # the JWT library's clock
    with pytest.raises(InvalidToken):
        verified.principal(token)


def test_altered_and_foreign_tokens_are_refused() -> None:
    token = issue_token(ALICE, key=KEY, issuer=ISSUER, minutes=5)
    verified = VerifiedTokens(key=KEY, issuer=ISSUER, size=2)
    verified.principal(token)
    head, body, signature = token.split(".")
    forged = issue_token(
        Principal("alice", Role.CENTRAL_ADMIN), key=b"x" * 32, issuer=ISSUER, minutes=5
    )
    for bad in (f"{head}.{body}.{signature[:-2]}AA", forged, token + "x"):
        with pytest.raises(InvalidToken):
            verified.principal(bad)
    others = [issue_token(Principal(f"o{n}", Role.AUDITOR), key=KEY, issuer=ISSUER, minutes=5)
              for n in range(3)]  # fmt: skip
    for other in others:
        verified.principal(other)
    assert len(verified._seen) == 2  # bounded: the least recently used went first
