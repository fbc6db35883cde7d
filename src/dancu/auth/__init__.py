"""Officers, roles, jurisdiction and access tokens."""

from dancu.auth.principal import SYSTEM, Principal, Role

__all__ = ["SYSTEM", "Principal", "Role"]
