"""HTTP for agencies' systems (token, JWKS, verify, lookup), for the administrators who manage
agencies and grants, and for oversight (usage, export, chain check, a person's access log)."""

from __future__ import annotations

import base64
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import (
    APIRouter,
    Depends,
    Form,
    Header,
    Query,
    Request,
    Response,
    UploadFile,
    status,
)
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from joserfc.jwk import KeySet
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dancu.config import Settings
from dancu.deps import SESSION_CONCURRENCY, PrincipalDep, SessionDep, app_singleton
from dancu.gateway import access, agency, batch, service, subscription, tokens
from dancu.gateway.agency import Caller
from dancu.gateway.errors import InvalidClient
from dancu.gateway.models import Agency, ApiClient, Consent, Subscription
from dancu.gateway.schemas import (
    AccessRead,
    AgencyCreate,
    AgencyRead,
    BatchCheckRead,
    ClientCreate,
    ClientCreated,
    ConsentCreate,
    GrantCreate,
    GrantRead,
    SubscriptionCreate,
    SubscriptionRead,
    TokenResponse,
    UsageRow,
    VerifyRequest,
    VerifyResponse,
)
from dancu.kit.db import unit_of_work
from dancu.kit.errors import DancuError, InvalidInput
from dancu.problems import problem
from dancu.registry.person import read as people

router = APIRouter(tags=["gateway"])
_bearer = HTTPBearer(auto_error=False)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,40}$")
KEYSET_SECONDS = 10.0
T = TypeVar("T")


def _secret(request: Request) -> bytes:
    settings: Settings = request.app.state.settings
    return settings.signing_key()


def _issuer(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return f"{settings.auth.issuer}-gateway"


def _keyset(request: Request, session: Session | None = None) -> KeySet:
    state = request.app.state
    cached = getattr(state, "gateway_keyset", None)
    if cached is None or time.monotonic() - cached[0] > KEYSET_SECONDS:
        if session is None:
            with state.session_factory() as own:
                keys = tokens.keyset(own, _secret(request))
        else:
            keys = tokens.keyset(session, _secret(request))
        cached = state.gateway_keyset = (time.monotonic(), keys)
    found: KeySet = cached[1]
    return found


def _caller(
    request: Request, credentials: HTTPAuthorizationCredentials | None, session: Session | None
) -> Caller:
    if credentials is None:
        raise tokens.InvalidGatewayToken(
            "send 'Authorization: Bearer <token>' (POST /v1/gateway/token)"
        )
    keys = _keyset(request, session)
    seen = app_singleton(request, "gateway_tokens", tokens.TokenCache)
    return seen.read(credentials.credentials, keys, issuer=_issuer(request))


def current_caller(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    return _caller(request, credentials, session)


CallerDep = Annotated[Caller, Depends(current_caller)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _request_id(given: str | None) -> str:
    return given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex


@contextmanager
def _refusals_recorded(
    request: Request,
    session: Session,
    caller: Caller,
    *,
    operation: str,
    purpose: str | None,
    subject: str | None,
    request_id: str,
) -> Iterator[None]:
    """A refused call is recorded too: the call's transaction is rolled back, and the access
    record is written in a transaction of its own."""
    try:
        yield
    except DancuError as exc:
        session.rollback()
        with unit_of_work(request.app.state.session_factory) as own:
            access.append(
                own,
                caller,
                request_id=request_id,
                operation=operation,
                purpose=purpose,
                subject=subject,
                fields=[],
                outcome=exc.code[:24],
            )
        raise


async def _operation(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    work: Callable[[Session, Caller], T],
    *,
    operation: str,
    purpose: str | None,
    subject: str | None,
    request_id: str,
) -> T:
    """One agency call as one unit of work in one worker thread: the caller, the operation
    and its access record, and the commit (before the answer is sent), in a single hand-off
    from the event loop (``SessionDep`` and ``CallerDep`` would take two)."""
    state = request.app.state
    factory: sessionmaker[Session] = state.session_factory

    def unit() -> T:
        caller = _caller(request, credentials, None)
        with factory() as session:
            try:
                with _refusals_recorded(
                    request,
                    session,
                    caller,
                    operation=operation,
                    purpose=purpose,
                    subject=subject,
                    request_id=request_id,
                ):
                    result = work(session, caller)
                session.commit()
            except BaseException:
                session.rollback()
                raise
        return result

    limiter = app_singleton(
        request, "gateway_limiter", lambda: anyio.CapacityLimiter(SESSION_CONCURRENCY)
    )
    done: T = await anyio.to_thread.run_sync(unit, limiter=limiter)
    return done


def _sealer_wanted(factory: sessionmaker[Session]) -> bool:
    # A factory bound to one connection (the tests' rolled-back transaction) has no
    # connections to spare for a thread: there, sealing happens when the chains are checked.
    return isinstance(factory.kw.get("bind"), Engine)


@asynccontextmanager
async def _lifespan(app: Any) -> AsyncIterator[None]:
    """Every server process seals the access records it (and any other) wrote."""
    factory: sessionmaker[Session] = app.state.session_factory
    if not _sealer_wanted(factory):
        yield
        return
    sealer = access.Sealer(factory)
    sealer.start()
    try:
        yield
    finally:
        await anyio.to_thread.run_sync(sealer.stop)


router.lifespan_context = _lifespan


# --- token and keys -------------------------------------------------------------------------


def _oauth_error(error: str, description: str, status_code: int = 400) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )


def _basic(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
    except ValueError:
        return None
    return client_id, secret


def _client(
    request: Request, session: Session, form: dict[str, str | None], authorization: str | None
) -> ApiClient:
    if form["client_assertion"]:
        if form["client_assertion_type"] != tokens.ASSERTION_TYPE:
            raise InvalidClient(f"client_assertion_type must be {tokens.ASSERTION_TYPE}")
        audience = str(request.url_for("gateway_token"))
        return tokens.client_from_assertion(session, form["client_assertion"], audience=audience)
    pair = _basic(authorization) or (form["client_id"] or "", form["client_secret"] or "")
    return agency.authenticate_client(session, *pair)


@router.post("/v1/gateway/token", response_model=TokenResponse, name="gateway_token")
def token(
    request: Request,
    session: SessionDep,
    grant_type: Annotated[str, Form()],
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    client_assertion_type: Annotated[str | None, Form()] = None,
    client_assertion: Annotated[str | None, Form()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Any:
    """OAuth 2.0 client credentials: client_secret_basic, client_secret_post or private_key_jwt.
    Access tokens are ES256 JWTs valid for 5 minutes; keys at ``/v1/gateway/jwks.json``."""
    if grant_type != "client_credentials":
        return _oauth_error("unsupported_grant_type", "only client_credentials is supported")
    form = {
        "client_id": client_id,
        "client_secret": client_secret,
        "client_assertion_type": client_assertion_type,
        "client_assertion": client_assertion,
    }
    try:
        client = _client(request, session, form, authorization)
        access_token, scope = tokens.issue(
            session, _secret(request), client, issuer=_issuer(request)
        )
    except InvalidClient as exc:
        return _oauth_error("invalid_client", exc.detail, 401)
    return JSONResponse(
        TokenResponse(
            access_token=access_token, expires_in=tokens.TOKEN_MINUTES * 60, scope=scope
        ).model_dump(),
        headers={"Cache-Control": "no-store"},
    )


@router.get("/v1/gateway/jwks.json")
def jwks(request: Request, session: SessionDep) -> dict[str, Any]:
    """The public keys that sign gateway access tokens (JWKS, RFC 7517)."""
    return tokens.jwks(session, _secret(request))


# --- operations -----------------------------------------------------------------------------


@router.post("/v1/gateway/verify", response_model=VerifyResponse)
async def verify(
    body: VerifyRequest,
    request: Request,
    credentials: BearerDep,
    x_request_id: Annotated[str | None, Header()] = None,
) -> Response:
    """Does this ID number go with these attributes? Per attribute: exact, normalised (case,
    diacritics, spacing; a less precise date) or no_match; ``alive`` only when all matched."""
    request_id = _request_id(x_request_id)
    failures = app_singleton(request, "gateway_failures", service.FailedVerifications)
    limits = app_singleton(request, "gateway_limits", service.GrantLimits)
    grants = app_singleton(request, "gateway_grants", agency.GrantCache)

    def work(session: Session, caller: Caller) -> VerifyResponse:
        return service.verify(
            session,
            caller,
            body,
            request_id=request_id,
            failures=failures,
            limits=limits,
            grants=grants,
        )

    answer = await _operation(
        request,
        credentials,
        work,
        operation="verify",
        purpose=body.purpose,
        subject=body.id_number,
        request_id=request_id,
    )
    # Already a VerifyResponse: serialised once, not validated again against the model.
    return Response(answer.model_dump_json(), media_type="application/json")


@router.get("/v1/gateway/people/{id_number}")
async def lookup(
    id_number: str,
    request: Request,
    credentials: BearerDep,
    purpose: Annotated[str, Query(examples=["social-insurance"])],
    x_request_id: Annotated[str | None, Header()] = None,
) -> Any:
    """The fields your grant allows of one person, for a purpose your grant names. 404 alike
    for a number that does not exist, a person outside your grant, or a missing consent."""
    request_id = _request_id(x_request_id)
    limits = app_singleton(request, "gateway_limits", service.GrantLimits)
    grants = app_singleton(request, "gateway_grants", agency.GrantCache)

    def work(session: Session, caller: Caller) -> dict[str, object] | None:
        return service.lookup(
            session,
            caller,
            id_number,
            purpose,
            request_id=request_id,
            limits=limits,
            grants=grants,
        )

    found = await _operation(
        request,
        credentials,
        work,
        operation="lookup",
        purpose=purpose,
        subject=id_number,
        request_id=request_id,
    )
    if found is None:
        return problem(
            404,
            code="gateway.no_record",
            title="Not found",
            detail="no record this grant can see has that ID number",
            headers={"X-Request-ID": request_id},
        )
    return JSONResponse(found, headers={"X-Request-ID": request_id})


# --- batch checks -----------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


@router.post("/v1/gateway/batches", response_model=BatchCheckRead, status_code=202)
def submit_batch(
    session: SessionDep,
    caller: CallerDep,
    purpose: Annotated[str, Query()],
    file: UploadFile,
) -> BatchCheckRead:
    """Upload a CSV of your records (``record_key``, ``id_number``, ``full_name``,
    ``birth_date``, ``sex``); it is checked in the background. Follow ``GET …/{id}``, then
    download ``…/{id}/results.csv``."""
    raw = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise InvalidInput("the file is over 200 MB; split it")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text") from None
    found = batch.submit(
        session, caller, purpose=purpose, file_name=file.filename or "upload.csv", text=text
    )
    return BatchCheckRead.model_validate(found, from_attributes=True)


@router.get("/v1/gateway/batches/{batch_id}", response_model=BatchCheckRead)
def read_batch(batch_id: int, session: SessionDep, caller: CallerDep) -> BatchCheckRead:
    """Progress: rows done of rows total; status queued, running or done."""
    return BatchCheckRead.model_validate(batch.own(session, caller, batch_id), from_attributes=True)


@router.get("/v1/gateway/batches/{batch_id}/results.csv")
def batch_results(batch_id: int, session: SessionDep, caller: CallerDep) -> Response:
    """Per row: status (matched, no_match, ambiguous, invalid), the ID number where your grant
    has ``id_number``, each field's agreement and the register's correction (granted fields)."""
    found = batch.own(session, caller, batch_id)
    return Response(batch.results_csv(session, found), media_type="text/csv; charset=utf-8")


@router.delete("/v1/gateway/batches/{batch_id}", status_code=204)
def forget_batch(batch_id: int, session: SessionDep, caller: CallerDep) -> Response:
    """Delete the uploaded rows and their results."""
    batch.forget(session, batch.own(session, caller, batch_id))
    return Response(status_code=204)


# --- subscriptions ----------------------------------------------------------------------------


def _subscription_view(found: Subscription, secret: str | None = None) -> SubscriptionRead:
    return SubscriptionRead(
        id=found.id,
        purpose=found.purpose,
        event_types=found.event_types,
        provinces=found.provinces,
        webhook_url=found.webhook_url,
        status=found.status,
        created_at=found.created_at,
        secret=secret,
    )


@router.post("/v1/gateway/subscriptions", response_model=SubscriptionRead, status_code=201)
def subscribe(
    body: SubscriptionCreate, request: Request, session: SessionDep, caller: CallerDep
) -> SubscriptionRead:
    """Subscribe to register events (birth, registration, death, residence_change,
    data_correction, card_status) within your grant. With a ``webhook_url`` each event is
    POSTed, signed (the secret is in this answer only); without, read ``/v1/gateway/events``."""
    found, secret = subscription.subscribe(
        session,
        caller,
        purpose=body.purpose,
        event_types=body.event_types,
        webhook_url=body.webhook_url,
        provinces=body.provinces,
        deployment_secret=_secret(request),
    )
    return _subscription_view(found, secret)


@router.get("/v1/gateway/subscriptions", response_model=list[SubscriptionRead])
def list_subscriptions(session: SessionDep, caller: CallerDep) -> list[SubscriptionRead]:
    return [_subscription_view(s) for s in subscription.subscriptions_of(session, caller)]


@router.delete("/v1/gateway/subscriptions/{subscription_id}", status_code=204)
def cancel_subscription(subscription_id: int, session: SessionDep, caller: CallerDep) -> Response:
    subscription.own(session, caller, subscription_id).status = "cancelled"
    return Response(status_code=204)


@router.get("/v1/gateway/subscriptions/{subscription_id}/dead-letters")
def dead_letters(
    subscription_id: int, session: SessionDep, caller: CallerDep
) -> list[dict[str, Any]]:
    """Events whose delivery failed every retry; retry one with POST …/{job_id}/retry."""
    return subscription.dead_letters(session, subscription.own(session, caller, subscription_id))


@router.post(
    "/v1/gateway/subscriptions/{subscription_id}/dead-letters/{job_id}/retry", status_code=202
)
def retry_dead_letter(
    subscription_id: int, job_id: int, session: SessionDep, caller: CallerDep
) -> dict[str, str]:
    found = subscription.own(session, caller, subscription_id)
    subscription.retry_dead_letter(session, found, job_id)
    return {"status": "queued"}


@router.get("/v1/gateway/events")
def events(
    session: SessionDep,
    caller: CallerDep,
    purpose: str,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The pull feed: events your subscriptions want after ``after`` (the ``next_cursor`` of
    the previous page), oldest first. Events show up about two seconds after they happen."""
    return subscription.pull(session, caller, purpose=purpose, after=after, limit=limit)


# --- administration -------------------------------------------------------------------------


def _agency_view(a: Agency) -> AgencyRead:
    return AgencyRead.model_validate(a, from_attributes=True)


@router.post("/v1/gateway/agencies", response_model=AgencyRead, status_code=201)
def create_agency(body: AgencyCreate, session: SessionDep, principal: PrincipalDep) -> AgencyRead:
    """Register an agency (central administrators)."""
    return _agency_view(agency.create_agency(session, principal, body))


@router.get("/v1/gateway/agencies", response_model=list[AgencyRead])
def list_agencies(session: SessionDep, principal: PrincipalDep) -> list[AgencyRead]:
    principal.require_role(*agency.ADMINS, *access.OVERSIGHT)
    from sqlalchemy import select

    return [_agency_view(a) for a in session.scalars(select(Agency).order_by(Agency.code))]


@router.post("/v1/gateway/agencies/{code}/clients", response_model=ClientCreated, status_code=201)
def create_client(
    code: str, body: ClientCreate, session: SessionDep, principal: PrincipalDep
) -> ClientCreated:
    """A new API client. The secret is shown in this answer only; send a ``public_jwk`` instead
    to authenticate with private_key_jwt."""
    client, secret = agency.create_client(session, principal, code, body.public_jwk)
    return ClientCreated(client_id=client.client_id, client_secret=secret)


@router.post("/v1/gateway/agencies/{code}/grants", response_model=GrantRead, status_code=201)
def create_grant(
    code: str, body: GrantCreate, session: SessionDep, principal: PrincipalDep
) -> GrantRead:
    """Grant an agency operations, fields, purposes, provinces and a rate."""
    return agency.grant_view(session, agency.create_grant(session, principal, code, body))


@router.get("/v1/gateway/agencies/{code}/grants", response_model=list[GrantRead])
def list_grants(code: str, session: SessionDep, principal: PrincipalDep) -> list[GrantRead]:
    principal.require_role(*agency.ADMINS, *access.OVERSIGHT)
    found = agency.get_agency(session, code)
    return [agency.grant_view(session, g) for g in agency.grants_of(session, found.id)]


@router.post("/v1/gateway/agencies/{code}/{action}", response_model=AgencyRead)
def set_agency_status(
    code: str, action: str, session: SessionDep, principal: PrincipalDep
) -> AgencyRead:
    """``suspend`` or ``resume`` an agency (all its grants at once). Declared after the
    agency's sub-resources so that ``clients`` and ``grants`` are not taken for actions."""
    states = {"suspend": "suspended", "resume": "active"}
    if action not in states:
        raise InvalidInput("the action is suspend or resume")
    return _agency_view(agency.set_agency_status(session, principal, code, states[action]))


@router.post("/v1/gateway/grants/{grant_id}/{action}", response_model=GrantRead)
def set_grant_status(
    grant_id: int, action: str, session: SessionDep, principal: PrincipalDep
) -> GrantRead:
    """``suspend`` or ``resume`` a grant; it takes effect on the agency's next call."""
    states = {"suspend": "suspended", "resume": "active"}
    if action not in states:
        raise InvalidInput("the action is suspend or resume")
    grant = agency.set_grant_status(session, principal, grant_id, states[action])
    return agency.grant_view(session, grant)


# --- oversight and transparency -------------------------------------------------------------


@router.get("/v1/gateway/usage", response_model=list[UsageRow])
def usage(
    session: SessionDep,
    principal: PrincipalDep,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[UsageRow]:
    """Calls per agency, operation and outcome."""
    return access.usage(session, principal, since, until)


@router.get("/v1/gateway/access-records.csv")
def export(
    session: SessionDep,
    principal: PrincipalDep,
    since: datetime | None = None,
    until: datetime | None = None,
) -> StreamingResponse:
    """Every access record (with its hashes) for an oversight body."""
    rows = list(access.export_csv(session, principal, since, until))
    return StreamingResponse(iter(rows), media_type="text/csv; charset=utf-8")


@router.get("/v1/gateway/access-chain")
def access_chain(session: SessionDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """Recompute every access-record chain; any change, deletion or reordering shows."""
    principal.require_role(*access.OVERSIGHT)
    return [r.__dict__ for r in access.verify_chains(session)]


@router.get("/v1/people/{id_number}/access-log", response_model=list[AccessRead])
def access_log(id_number: str, session: SessionDep, principal: PrincipalDep) -> list[AccessRead]:
    """Which agencies read or checked this person's record, when, why and which fields (for the
    citizen; served through an officer until e-ID sign-in exists)."""
    return access.access_log(session, principal, id_number)


@router.post("/v1/people/{id_number}/consents", status_code=status.HTTP_201_CREATED)
def give_consent(
    id_number: str, body: ConsentCreate, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Record the citizen's consent, given at the counter, for an agency and purpose."""
    principal.require_writer()
    person = people.find_readable(session, principal, id_number)
    found = agency.get_agency(session, body.agency_code)
    consent = Consent(
        person_id=person.id,
        agency_id=found.id,
        purpose=body.purpose,
        expires_at=body.expires_at,
        recorded_by=principal.username,
    )
    session.add(consent)
    session.flush()
    from dancu.audit.service import record

    record(
        session,
        principal,
        action="gateway:consent:give",
        subject_type="person",
        subject_id=str(person.id_number),
        details={"agency": found.code, "purpose": body.purpose},
    )
    return {"id": consent.id, "agency_code": found.code, "purpose": body.purpose}
