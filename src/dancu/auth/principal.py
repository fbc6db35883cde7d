"""Who is acting: roles, jurisdiction, and the checks every service makes before it acts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dancu.kit.errors import Forbidden


class Role(StrEnum):
    COMMUNE_OFFICER = "commune_officer"
    PROVINCE_OFFICER = "province_officer"
    CENTRAL_ADMIN = "central_admin"
    AUDITOR = "auditor"
    SYSTEM = "system"


WRITER_ROLES = frozenset(
    {Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER, Role.CENTRAL_ADMIN, Role.SYSTEM}
)
NATIONAL_ROLES = frozenset({Role.CENTRAL_ADMIN, Role.AUDITOR, Role.SYSTEM})


class OutOfJurisdiction(Forbidden):
    code = "auth.out_of_jurisdiction"


class ReadOnlyRole(Forbidden):
    code = "auth.read_only_role"


class RoleRequired(Forbidden):
    code = "auth.role_required"


@dataclass(frozen=True)
class Principal:
    """An authenticated actor. ``officer_id`` is None for the system itself (imports, demo)."""

    username: str
    role: Role
    jurisdiction_code: str | None = None
    officer_id: int | None = None

    @property
    def is_national(self) -> bool:
        return self.role in NATIONAL_ROLES

    def covers(self, commune_code: str | None, province_code: str | None) -> bool:
        """Whether a record in this commune/province (current codes) is inside the jurisdiction."""
        if self.is_national:
            return True
        if self.role is Role.PROVINCE_OFFICER:
            return province_code is not None and province_code == self.jurisdiction_code
        return commune_code is not None and commune_code == self.jurisdiction_code

    def require_writer(self) -> None:
        if self.role not in WRITER_ROLES:
            raise ReadOnlyRole(
                f"the {self.role.value} role may read the register but not change it"
            )

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles:
            wanted = ", ".join(r.value for r in roles)
            raise RoleRequired(f"this needs one of the roles: {wanted}")

    def require_covers(self, commune_code: str | None, province_code: str | None) -> None:
        if not self.covers(commune_code, province_code):
            raise OutOfJurisdiction(
                f"this record is outside your jurisdiction ({self.jurisdiction_code}); "
                "ask an officer of the resident's commune or province"
            )


SYSTEM = Principal(username="system", role=Role.SYSTEM)
