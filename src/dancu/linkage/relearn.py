"""Re-estimating a linkage model's m probabilities from pairs known to match (officers'
clerical decisions), keeping its u probabilities, prior and term frequencies.

Splink's ``estimate_m_from_pairwise_labels`` computes, per comparison, the share of the labelled
pairs at each level. With a few dozen labels some levels are never seen; Splink would then treat
them as all but impossible among matches (m = 1e-6), so a clerk's dozen decisions could make a
one-digit typo of the ID number damning. Such a level keeps the old model's m instead, and each
comparison's m is scaled to sum to 1 again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import polars as pl
from splink import Linker
from splink.internals.constants import LEVEL_NOT_OBSERVED_TEXT

from dancu.linkage.engine import INCOMING, REGISTER, LinkageModel, _linker


class MissingColumns(ValueError):
    """The model compares columns the labelled records do not have."""


def _observed(linker: Linker) -> list[list[bool]]:
    """Per comparison, per non-null level: whether any labelled pair fell in it."""
    return [
        [
            level._m_probability != LEVEL_NOT_OBSERVED_TEXT
            for level in cc._comparison_levels_excluding_null
        ]
        for cc in linker._settings_obj.comparisons
    ]


def _merge_m(old: dict[str, Any], new: dict[str, Any], observed: list[list[bool]]) -> None:
    """A level no confirmed pair showed keeps the old model's m (a dozen labels cannot show that
    a level never happens among matches); each comparison's m then sums to 1 again."""
    for old_cc, new_cc, seen in zip(old["comparisons"], new["comparisons"], observed, strict=True):
        old_levels = [lv for lv in old_cc["comparison_levels"] if not lv.get("is_null_level")]
        levels = [lv for lv in new_cc["comparison_levels"] if not lv.get("is_null_level")]
        for old_level, level, was_seen in zip(old_levels, levels, seen, strict=True):
            if not was_seen and "m_probability" in old_level:
                level["m_probability"] = old_level["m_probability"]
        total = sum(lv.get("m_probability", 0.0) for lv in levels)
        for level in levels:
            if "m_probability" in level and total > 0:
                level["m_probability"] = level["m_probability"] / total


def estimate_m_from_matches(
    model: LinkageModel, left: pl.DataFrame, right: pl.DataFrame
) -> LinkageModel:
    """m probabilities of ``model`` estimated from the confirmed matches ``left[i]``-``right[i]``
    (prepared frames); u and the prior are kept."""
    missing = set(model.columns.used()) - set(left.columns)
    if missing:
        raise MissingColumns(
            f"the model compares columns the register's records do not have: {sorted(missing)}"
        )
    settings = {**model.settings, "link_type": "link_only"}
    frames = {
        REGISTER: left.select(model.columns.used()),
        INCOMING: right.select(model.columns.used()),
    }
    linker = _linker(settings, frames)
    n, uid = left.height, model.columns.unique_id
    labels = {"source_dataset_l": [REGISTER] * n, f"{uid}_l": left[uid].to_list(),
              "source_dataset_r": [INCOMING] * n, f"{uid}_r": right[uid].to_list()}  # fmt: skip
    linker.table_management.register_table(labels, "dancu_clerical_labels", overwrite=True)
    linker.training.estimate_m_from_pairwise_labels("dancu_clerical_labels")  # type: ignore[no-untyped-call]
    trained = linker.misc.save_model_to_json()
    _merge_m(model.settings, trained, _observed(linker))
    trained["link_type"] = model.settings.get("link_type", "link_only")
    return replace(model, settings=trained)
