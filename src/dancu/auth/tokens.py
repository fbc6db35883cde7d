"""Officers' access tokens: short-lived HS256 JWTs (joserfc), checked on every request."""

from __future__ import annotations

from collections import OrderedDict
from datetime import timedelta

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from dancu.auth.errors import InvalidToken
from dancu.auth.principal import Principal, Role
from dancu.kit.clock import now

_ALG = "HS256"


def issue_token(principal: Principal, *, key: bytes, issuer: str, minutes: int) -> str:
    issued = now()
    claims = {
        "iss": issuer,
        "sub": principal.username,
        "oid": principal.officer_id,
        "role": principal.role.value,
        "jur": principal.jurisdiction_code,
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(minutes=minutes)).timestamp()),
    }
    return jwt.encode({"alg": _ALG, "typ": "JWT"}, claims, OctKey.import_key(key))


def read_token(token: str, *, key: bytes, issuer: str) -> Principal:
    return _read(token, key=key, issuer=issuer)[0]


def _read(token: str, *, key: bytes, issuer: str) -> tuple[Principal, int]:
    try:
        decoded = jwt.decode(token, OctKey.import_key(key), algorithms=[_ALG])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer},
            exp={"essential": True},
            sub={"essential": True},
        ).validate(decoded.claims)
        claims = decoded.claims
        principal = Principal(
            username=str(claims["sub"]),
            role=Role(claims["role"]),
            jurisdiction_code=claims.get("jur"),
            officer_id=claims.get("oid"),
        )
        return principal, int(claims["exp"])
    except (JoseError, KeyError, ValueError) as exc:
        raise InvalidToken("the access token is invalid or has expired; sign in again") from exc


class VerifiedTokens:
    """Tokens whose signature and claims were already checked, with their principal, until
    they expire: an officer's token is sent with every request of its life, and checking it
    again each time cost a fifth of a record read. Bounded (least recently used goes first);
    used from the event loop only."""

    def __init__(self, *, key: bytes, issuer: str, size: int = 4096) -> None:
        self._key, self._issuer, self._size = key, issuer, size
        self._seen: OrderedDict[str, tuple[Principal, int]] = OrderedDict()

    def principal(self, token: str) -> Principal:
        hit = self._seen.get(token)
        if hit is not None and now().timestamp() < hit[1]:
            self._seen.move_to_end(token)
            return hit[0]
        self._seen.pop(token, None)
        principal, expires = _read(token, key=self._key, issuer=self._issuer)
        self._seen[token] = (principal, expires)
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return principal
