"""Refusals of the gateway. Messages never say whether a person exists."""

from __future__ import annotations

from dancu.kit.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized


class AgencyNotFound(NotFound):
    code = "gateway.agency_not_found"


class GrantNotFound(NotFound):
    code = "gateway.grant_not_found"


class AgencyExists(Conflict):
    code = "gateway.agency_exists"


class InvalidClient(Unauthorized):
    """RFC 6749 §5.2 invalid_client."""

    code = "gateway.invalid_client"


class NotGranted(Forbidden):
    code = "gateway.not_granted"


class BadGrant(InvalidInput):
    code = "gateway.bad_grant"


class NoRecord(NotFound):
    """The same answer for 'no such person', 'outside your geography' and 'no consent'."""

    code = "gateway.no_record"
