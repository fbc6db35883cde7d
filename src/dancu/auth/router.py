"""Sign-in (OAuth2 password flow) for officers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from dancu.audit.service import record
from dancu.auth import service
from dancu.auth.tokens import issue_token
from dancu.deps import PrincipalDep, SessionDep, SettingsDep

router = APIRouter(prefix="/v1/auth", tags=["auth"])


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class MeRead(BaseModel):
    username: str
    role: str
    jurisdiction_code: str | None


@router.post("/token", response_model=TokenRead)
def sign_in(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> TokenRead:
    """Exchange an officer's username and password for a short-lived bearer token."""
    principal = service.authenticate(session, username=form.username, password=form.password)
    record(
        session,
        principal,
        action="auth:officer:sign_in",
        subject_type="officer",
        subject_id=principal.username,
    )
    token = issue_token(
        principal,
        key=request.app.state.signing_key,
        issuer=settings.auth.issuer,
        minutes=settings.auth.token_minutes,
    )
    return TokenRead(access_token=token, expires_in=settings.auth.token_minutes * 60)


@router.get("/me", response_model=MeRead)
def who_am_i(principal: PrincipalDep) -> MeRead:
    """The signed-in officer's role and jurisdiction."""
    return MeRead(
        username=principal.username,
        role=principal.role.value,
        jurisdiction_code=principal.jurisdiction_code,
    )
