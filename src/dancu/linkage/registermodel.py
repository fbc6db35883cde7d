"""The register's own linkage model ("register-link"): what the gateway's batch check scores
agencies' rows with.

Trained on a sample of the register: u from random pairs of residents (so a shared "nguyen" or a
shared birth year counts for what it is worth in this population), m by EM against a dirty copy
of the sample (the error types agencies' files carry, at realistic rates), and the register's
own name frequencies. Officers' review decisions later re-estimate m from real pairs
(``linkage.review.reestimate``), each a new version. Until an installation has trained its own
(``dancu linkage train``), the packaged model trained the same way on a synthetic nation of the
census' shape is used (``scripts/train_default_model.py``).

A match probability answers "is this pair the same person?" for a pair drawn from the whole
register, so the prior is set from the register's size when scoring (``for_register``): the
same name and birth year make a near-certain match in a commune's register of 2,000 and only a
candidate for review in a nation of 100 million.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dancu.kit.errors import InvalidInput
from dancu.linkage import review
from dancu.linkage.dirty import dirty_copy
from dancu.linkage.engine import LinkageModel, TrainingFailed, TrainingOptions, train
from dancu.linkage.link import register_frame
from dancu.linkage.models import LinkageModelRow
from dancu.linkage.prepare import prepare_people
from dancu.registry.person.models import Person

NAME: Final = "register-link"
MIN_RESIDENTS: Final = 200
PACKAGED: Final = Path(__file__).parent / "data" / "register-link.json"
EXPECTED_MATCH_SHARE: Final = 0.95


class RegisterTooSmall(InvalidInput):
    code = "linkage.register_too_small"


def train_register_model(
    session: Session, *, sample: int = 50_000, seed: int = 42
) -> LinkageModelRow:
    """Train on about ``sample`` residents and store it as the next version of the model."""
    total = session.scalar(select(func.count()).select_from(Person)) or 0
    if total < MIN_RESIDENTS:
        raise RegisterTooSmall(
            f"the register holds {total} residents; a model needs at least {MIN_RESIDENTS}"
        )
    people = register_frame(session, every=max(1, total // max(sample, 1)))
    dirty = dirty_copy(people, max(people.height // 4, 100), seed=seed)
    try:
        model = train(
            prepare_people(people), prepare_people(dirty), options=TrainingOptions(seed=seed)
        )
    except TrainingFailed as exc:
        raise RegisterTooSmall(f"{exc} (sample {people.height:,} residents)") from exc
    return review.save_model(
        session,
        model,
        name=NAME,
        trained_on=f"{people.height:,} of {total:,} residents and a dirty copy of "
        f"{dirty.height:,} (seed {seed})",
    )


def register_model(session: Session) -> tuple[LinkageModelRow | None, LinkageModel]:
    """The latest version trained on this register, else the packaged model (no row)."""
    found = review.latest_model(session, NAME)
    if found is None:
        return None, LinkageModel.load(PACKAGED)
    return found


def for_register(session: Session, model: LinkageModel) -> LinkageModel:
    """``model`` with the prior of a pair matching set from the register's size (the highest
    row id: an index read, where counting 100 million rows is not)."""
    size = session.scalar(select(func.max(Person.id))) or 1
    prior = min(EXPECTED_MATCH_SHARE / max(size, 1), 0.5)
    settings = {**model.settings, "probability_two_random_records_match": prior}
    return replace(model, settings=settings)
