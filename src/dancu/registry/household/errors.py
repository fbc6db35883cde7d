from __future__ import annotations

from dancu.kit.errors import Conflict, NotFound, RuleViolation


class HouseholdNotFound(NotFound):
    code = "registry.household.not_found"


class HouseholdRuleViolation(RuleViolation):
    code = "registry.household.rule_violation"


class AlreadyInHousehold(Conflict):
    code = "registry.household.already_member"
