from __future__ import annotations

from dancu.kit.errors import Conflict, InvalidInput, Unauthorized


class BadCredentials(Unauthorized):
    code = "auth.bad_credentials"


class InvalidToken(Unauthorized):
    code = "auth.invalid_token"


class UsernameTaken(Conflict):
    code = "auth.username_taken"


class InvalidOfficer(InvalidInput):
    code = "auth.invalid_officer"
