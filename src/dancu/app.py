"""create_app(): the HTTP API. The engine is built here (or in the lifespan), never at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from dancu import __version__, problems
from dancu.adminunit.router import router as adminunit_router
from dancu.audit.journal import AuditJournal
from dancu.auth.router import router as auth_router
from dancu.card.router import router as card_router
from dancu.config import Settings
from dancu.deps import SESSION_CONCURRENCY, SessionDep
from dancu.gateway.router import router as gateway_router
from dancu.kit.db import build_engine, build_read_engine, session_factory
from dancu.linkage.router import router as linkage_router
from dancu.registry.household.router import router as household_router
from dancu.registry.person.router import router as person_router
from dancu.registry.residence.router import router as residence_router

DESCRIPTION = """
The national population register: one lifelong record per resident, keyed by the 12-digit
personal identification number. Officers sign in at `POST /v1/auth/token` (OAuth2 password
flow) and send the token as `Authorization: Bearer …`. Every refusal is an RFC 9457
`application/problem+json` document with a stable `code`.
"""


def create_app(
    settings: Settings | None = None, *, sessions: sessionmaker[Session] | None = None
) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.read_limiter = anyio.CapacityLimiter(SESSION_CONCURRENCY)
        if sessions is not None:
            yield
            return
        engine = build_engine(settings.database_url, echo=settings.sql_echo)
        app.state.session_factory = app.state.read_session_factory = session_factory(engine)
        read_engine, journal = None, None
        if settings.audit.read_journal:
            read_engine = build_read_engine(settings.database_url, echo=settings.sql_echo)
            journal = AuditJournal(
                settings.var_dir / "audit-journal",
                app.state.session_factory,
                interval=settings.audit.journal_interval,
                fsync_every=settings.audit.journal_fsync_every,
            )
            journal.start()
            app.state.read_session_factory = sessionmaker(
                bind=read_engine, expire_on_commit=False, info={"audit_journal": journal}
            )
        try:
            yield
        finally:
            if journal is not None:
                await anyio.to_thread.run_sync(journal.stop)
            for each in (read_engine, engine):
                if each is not None:
                    each.dispose()

    app = FastAPI(
        title="dancu — national population register",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.signing_key = settings.signing_key()
    if sessions is not None:
        app.state.session_factory = app.state.read_session_factory = sessions
    problems.install(app)
    for router in (
        auth_router,
        person_router,
        household_router,
        residence_router,
        adminunit_router,
        card_router,
        gateway_router,
        linkage_router,
    ):
        app.include_router(router)

    @app.get("/health", tags=["operations"])
    def health(session: SessionDep) -> dict[str, str]:
        """Liveness and database reachability."""
        session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    return app
