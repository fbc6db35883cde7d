"""FastAPI dependencies shared by the routers: the unit of work and the acting principal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Concatenate, ParamSpec, TypeVar

import anyio
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from dancu.auth.principal import Principal
from dancu.auth.tokens import VerifiedTokens
from dancu.config import Settings
from dancu.kit.errors import Unauthorized

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One request, one transaction: committed before the response is sent, or rolled back.

    The session is made on the event loop (no I/O: it connects on first use, in the endpoint's
    worker thread); commit and close run in one worker thread. A sync generator would cost a
    thread hand-off more per request."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        await run_in_threadpool(_commit_and_close, session)
    except BaseException:
        await run_in_threadpool(_rollback_and_close, session)
        raise


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _rollback_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def current_principal(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    if not token:
        raise Unauthorized(
            "sign in first: POST /v1/auth/token, then send 'Authorization: Bearer …'"
        )
    settings: Settings = request.app.state.settings
    tokens = app_singleton(
        request,
        "verified_tokens",
        lambda: VerifiedTokens(key=request.app.state.signing_key, issuer=settings.auth.issuer),
    )
    return tokens.principal(token)


# At most 16 requests hold (or wait for) a database session at once; the rest wait without a
# worker thread. Unbounded, every worker thread could block waiting for a pooled connection
# while the request holding one waits for a thread to commit it: a deadlock under load.
SESSION_CONCURRENCY = 16
SessionDep = Annotated[
    Session, Depends(get_session, scope="function", max_concurrency=SESSION_CONCURRENCY)
]
PrincipalDep = Annotated[Principal, Depends(current_principal)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


P = ParamSpec("P")
T = TypeVar("T")


async def read_unit(
    request: Request, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run ``fn(session, ...)`` as one read-only unit of work in one worker thread: session,
    queries and commit in a single hand-off from the event loop. The session comes from the
    read factory: on SQLite, connections that read in parallel; reads are audited through the
    read journal (``dancu.audit.journal``)."""
    factory = request.app.state.read_session_factory

    def work() -> T:
        with factory() as session, session.begin():
            return fn(session, *args, **kwargs)

    result: T = await anyio.to_thread.run_sync(work, limiter=request.app.state.read_limiter)
    return result


def app_singleton(request: Request, name: str, make: Callable[[], T]) -> T:
    """A per-process object kept on the app (a cipher, a key set, rate limits), made on first
    use; ``None`` stored under ``name`` (tests reset it so) means "make it again"."""
    value = getattr(request.app.state, name, None)
    if value is None:
        value = make()
        setattr(request.app.state, name, value)
    return value
