from __future__ import annotations

from dancu.kit.errors import NotFound, RuleViolation


class ResidenceRuleViolation(RuleViolation):
    code = "registry.residence.rule_violation"


class ResidenceNotFound(NotFound):
    code = "registry.residence.not_found"
