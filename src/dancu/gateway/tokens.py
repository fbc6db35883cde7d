"""System authentication: OAuth 2.0 client credentials (RFC 6749 §4.4) with client_secret_basic,
client_secret_post or private_key_jwt (RFC 7523), and short-lived ES256 access tokens whose
public keys are published as a JWKS (RFC 7517) and rotated with ``dancu agency rotate-key``.

Private signing keys are stored in the database sealed with AES-256-GCM under a key derived
(HKDF) from the deployment secret, so every worker process signs with the same key.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from datetime import timedelta
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, import_key
from sqlalchemy import select
from sqlalchemy.orm import Session

from dancu.gateway.agency import Caller
from dancu.gateway.errors import InvalidClient
from dancu.gateway.models import Agency, ApiClient, SigningKey
from dancu.kit.clock import now
from dancu.kit.errors import Unauthorized
from dancu.kit.sealing import Sealer

ALG = "ES256"
TOKEN_MINUTES = 5
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class InvalidGatewayToken(Unauthorized):
    code = "gateway.invalid_token"


def _sealer(secret: bytes) -> Sealer:
    return Sealer(secret, "dancu gateway signing keys")


def rotate_key(session: Session, secret: bytes) -> str:
    """Make a new signing key current; older ones keep verifying until they are retired."""
    kid = f"gw-{now():%Y%m%d}-{secrets.token_hex(4)}"
    key = ECKey.generate_key("P-256", parameters={"kid": kid, "use": "sig", "alg": ALG})
    sealed = _sealer(secret).seal(
        json.dumps(key.as_dict(private=True)).encode(), context=kid.encode()
    )
    session.add(SigningKey(kid=kid, private_jwk=sealed))
    session.flush()
    return kid


def retire_old_keys(session: Session) -> int:
    """Retire every key but the newest (run once the token lifetime has passed)."""
    keys = list(session.scalars(select(SigningKey).order_by(SigningKey.created_at.desc())))
    retired = 0
    for key in keys[1:]:
        if key.retired_at is None:
            key.retired_at = now()
            retired += 1
    session.flush()
    return retired


def _open(row: SigningKey, secret: bytes) -> ECKey:
    data = _sealer(secret).open(row.private_jwk, context=row.kid.encode())
    key = import_key(json.loads(data), "EC")
    assert isinstance(key, ECKey)
    return key


def _live_keys(session: Session) -> list[SigningKey]:
    return list(
        session.scalars(
            select(SigningKey)
            .where(SigningKey.retired_at.is_(None))
            .order_by(SigningKey.created_at.desc())
        )
    )


def keyset(session: Session, secret: bytes) -> KeySet:
    return KeySet([_open(row, secret) for row in _live_keys(session)])


def jwks(session: Session, secret: bytes) -> dict[str, Any]:
    """The public keys, for anyone checking a token (``/v1/gateway/jwks.json``)."""
    return {"keys": [k.as_dict(private=False) for k in keyset(session, secret).keys]}


def issue(session: Session, secret: bytes, client: ApiClient, *, issuer: str) -> tuple[str, str]:
    """An access token for ``client`` and its scope (the operations its grants allow)."""
    rows = _live_keys(session)
    if not rows:
        rotate_key(session, secret)
        rows = _live_keys(session)
    key = _open(rows[0], secret)
    agency = session.get_one(Agency, client.agency_id)
    if agency.status != "active":
        raise InvalidClient(f"agency {agency.code} is suspended")
    issued = now()
    claims = {
        "iss": issuer,
        "sub": client.client_id,
        "aud": "dancu-gateway",
        "agency": agency.code,
        "agency_id": agency.id,
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(minutes=TOKEN_MINUTES)).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    header = {"alg": ALG, "kid": rows[0].kid, "typ": "at+jwt"}
    return jwt.encode(header, claims, key), "verify lookup batch subscribe"


def read(token: str, keys: KeySet, *, issuer: str) -> Caller:
    return _read(token, keys, issuer=issuer)[0]


def _read(token: str, keys: KeySet, *, issuer: str) -> tuple[Caller, float]:
    try:
        decoded = jwt.decode(token, keys, algorithms=[ALG])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": "dancu-gateway"},
            exp={"essential": True},
            sub={"essential": True},
        ).validate(decoded.claims)
        claims = decoded.claims
        caller = Caller(int(claims["agency_id"]), str(claims["agency"]), str(claims["sub"]))
        return caller, float(claims["exp"])
    except (JoseError, KeyError, ValueError) as exc:
        raise InvalidGatewayToken(
            "the access token is invalid or has expired; get a new one at POST /v1/gateway/token"
        ) from exc


class TokenCache:
    """Tokens already checked, each until its expiry: an agency sends the same token for up to
    five minutes, and an ES256 signature check costs more than the rest of a verification's
    Python. Checked against one key set: when the key set is reloaded (a key rotated or
    retired), every token is checked afresh. Bounded: past ``size`` tokens it starts over."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._keys: KeySet | None = None
        self._seen: dict[str, tuple[Caller, float]] = {}

    def read(self, token: str, keys: KeySet, *, issuer: str) -> Caller:
        if keys is not self._keys:
            self._seen, self._keys = {}, keys
        seen = self._seen.get(token)
        if seen is not None and time.time() < seen[1]:
            return seen[0]
        caller, expires = _read(token, keys, issuer=issuer)
        if len(self._seen) >= self.size:
            self._seen = {}
        self._seen[token] = (caller, expires)
        return caller


def client_from_assertion(session: Session, assertion: str, *, audience: str) -> ApiClient:
    """private_key_jwt: the client signs a short JWT with its own key (RFC 7523 §2.2)."""
    client_id = _assertion_subject(assertion)  # only to find the key; verified below
    client = session.scalar(select(ApiClient).where(ApiClient.client_id == str(client_id)))
    if client is None or client.public_jwk is None or client.status != "active":
        raise InvalidClient("unknown client or no public key registered for private_key_jwt")
    try:
        key = import_key(client.public_jwk)
        decoded = jwt.decode(assertion, key, algorithms=["ES256", "RS256", "PS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": client.client_id},
            sub={"essential": True, "value": client.client_id},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            jti={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError) as exc:
        raise InvalidClient("the client assertion does not verify") from exc
    return client


def _assertion_subject(assertion: str) -> str | None:
    try:
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims.get("sub"))
    except (IndexError, ValueError):
        return None
