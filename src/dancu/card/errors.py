"""Refusals of the card context."""

from __future__ import annotations

from dancu.kit.errors import Conflict, NotFound, RuleViolation


class CardRuleViolation(RuleViolation):
    """The law does not allow it (age, biometrics, the kind of application)."""

    code = "card.rule_violation"


class TransitionRefused(Conflict):
    """The application or card is not in a state from which this step can be taken."""

    code = "card.transition_refused"


class ApplicationOpen(Conflict):
    code = "card.application_open"


class ApplicationNotFound(NotFound):
    code = "card.application_not_found"


class BatchNotFound(NotFound):
    code = "card.batch_not_found"


class CardNotFound(NotFound):
    code = "card.not_found"
