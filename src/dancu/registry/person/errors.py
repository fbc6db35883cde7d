from __future__ import annotations

from dancu.kit.errors import NotFound, PreconditionFailed, PreconditionRequired, RuleViolation


class PersonNotFound(NotFound):
    code = "registry.person.not_found"


class StaleVersion(PreconditionFailed):
    code = "registry.person.stale_version"


class VersionRequired(PreconditionRequired):
    code = "registry.person.if_match_required"


class PersonRuleViolation(RuleViolation):
    code = "registry.person.rule_violation"
