"""Officers' access tokens: short-lived HS256 JWTs (joserfc), checked on every request."""

from __future__ import annotations

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
    try:
        decoded = jwt.decode(token, OctKey.import_key(key), algorithms=[_ALG])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer},
            exp={"essential": True},
            sub={"essential": True},
        ).validate(decoded.claims)
        claims = decoded.claims
        return Principal(
            username=str(claims["sub"]),
            role=Role(claims["role"]),
            jurisdiction_code=claims.get("jur"),
            officer_id=claims.get("oid"),
        )
    except (JoseError, KeyError, ValueError) as exc:
        raise InvalidToken("the access token is invalid or has expired; sign in again") from exc
