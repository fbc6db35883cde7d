"""Train the packaged "register-link" model (src/dancu/linkage/data/register-link.json): the
model a fresh installation's batch check scores with until `dancu linkage train` has trained one
on the installation's own register.

    python scripts/train_default_model.py [--people 50000] [--seed 42]

Trained on a synthetic nation of the census' shape (names, birth dates, communes) and a dirty
copy of it, so its u probabilities and name frequencies are national ones.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from dancu.linkage.dirty import dirty_copy
from dancu.linkage.engine import TrainingOptions, train
from dancu.linkage.prepare import prepare_people
from dancu.linkage.registermodel import PACKAGED
from dancu.synth import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=PACKAGED)
    args = parser.parse_args()
    people = generate(args.people, seed=args.seed, as_of=date(2026, 6, 1))
    dirty = dirty_copy(people, args.people // 4, seed=args.seed)
    model = train(
        prepare_people(people), prepare_people(dirty), options=TrainingOptions(seed=args.seed)
    )
    model.save(args.out)
    print(f"{args.out}: trained on {args.people:,} synthetic residents (seed {args.seed})")


if __name__ == "__main__":
    main()
