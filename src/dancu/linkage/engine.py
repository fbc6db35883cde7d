"""Probabilistic record linkage (Fellegi-Sunter, via Splink on DuckDB) of an incoming file
against the register.

The model compares prepared records (``dancu.linkage.prepare``): given name, family name (with
term-frequency adjustment, so a shared "nguyen" counts for little and a shared rare surname for
much), middle name, birth date (exact, day and month swapped, partly known, near), sex, commune
or only province, the 12-digit ID number (one digit wrong or two swapped still counts), the old
9-digit number, and the phone. Which column plays which part is configurable
(``LinkageColumns``), so other data links with the same engine. u probabilities come from random
pairs (seeded), m probabilities from EM over blocked pairs; the trained model is saved as
versioned JSON and reloaded to give the same predictions.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

import duckdb
import polars as pl
from splink import DuckDBAPI, Linker

from dancu.linkage.levels import blocking_rules, comparisons, training_rules

MODEL_FORMAT: Final = "dancu.linkage.model"
MODEL_VERSION: Final = 1
REGISTER, INCOMING = "register", "incoming"  # Splink dataset names
_LOG_LEVEL: Final = logging.ERROR


class ModelVersionError(ValueError):
    """A saved model of another format or version than this code reads."""


@dataclass(frozen=True)
class LinkageColumns:
    """The column that plays each part; None where the data has no such column."""

    unique_id: str = "unique_id"
    given_name: str | None = "given_name_folded"
    family_name: str | None = "family_name_folded"
    middle_name: str | None = "middle_folded"
    birth_year: str | None = "birth_year"
    birth_month: str | None = "birth_month"
    birth_day: str | None = "birth_day"
    sex: str | None = "sex"
    commune: str | None = "commune_code"
    province: str | None = "province_code"
    id_number: str | None = "id_number"
    old_id_number: str | None = "old_id_number"
    phone: str | None = "phone"

    def used(self) -> list[str]:
        return [name for name in asdict(self).values() if name is not None]


@dataclass(frozen=True)
class TrainingOptions:
    seed: int = 42
    u_max_pairs: float = 5e6
    # Share of incoming records expected to have a counterpart in the register: sets the prior
    # that two random records match (share / register size).
    expected_match_share: float = 0.95
    extra_blocking_rules: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class LinkageModel:
    """A trained model: Splink settings with m and u, and the column roles it was built for."""

    settings: dict[str, Any]
    columns: LinkageColumns
    version: int = MODEL_VERSION

    def save(self, path: Path) -> None:
        document = {"format": MODEL_FORMAT, "version": self.version,
                    "columns": asdict(self.columns), "splink_settings": self.settings}  # fmt: skip
        path.write_text(json.dumps(document, indent=1, sort_keys=True), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LinkageModel:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != MODEL_FORMAT or document.get("version") != MODEL_VERSION:
            raise ModelVersionError(
                f"{path} is not a {MODEL_FORMAT} model of version {MODEL_VERSION}"
            )
        columns = LinkageColumns(**document["columns"])
        return cls(document["splink_settings"], columns, document["version"])


def build_settings(
    columns: LinkageColumns,
    *,
    probability_two_random_records_match: float,
    extra_blocking_rules: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Splink settings (link_only: each incoming record against the register)."""
    rules = [*blocking_rules(columns), *extra_blocking_rules]
    return {
        "link_type": "link_only",
        "unique_id_column_name": columns.unique_id,
        "probability_two_random_records_match": probability_two_random_records_match,
        "comparisons": comparisons(columns),
        "blocking_rules_to_generate_predictions": [{"blocking_rule": r} for r in rules],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "em_convergence": 0.001,
        "max_iterations": 20,
    }


def _linker(settings: dict[str, Any], register: pl.DataFrame, incoming: pl.DataFrame) -> Linker:
    con = duckdb.connect()
    db_api = DuckDBAPI(con)
    tables = []
    for name, frame in ((REGISTER, register), (INCOMING, incoming)):
        con.register(f"{name}_arrow", frame.to_arrow())
        con.execute(f"CREATE TABLE {name}_input AS SELECT * FROM {name}_arrow")
        con.unregister(f"{name}_arrow")
        tables.append(db_api.register(f"{name}_input", dataset_display_name=name))
    return Linker(tables, json.loads(json.dumps(settings)), log_level=_LOG_LEVEL)


def train(
    register: pl.DataFrame,
    incoming: pl.DataFrame,
    *,
    columns: LinkageColumns | None = None,
    options: TrainingOptions | None = None,
) -> LinkageModel:
    """Estimate u by random sampling (seeded) and m by EM over blocked pairs."""
    columns = columns or LinkageColumns()
    options = options or TrainingOptions()
    prior = options.expected_match_share / max(register.height, 1)
    settings = build_settings(
        columns,
        probability_two_random_records_match=min(prior, 0.5),
        extra_blocking_rules=options.extra_blocking_rules,
    )
    linker = _linker(settings, _select(register, columns), _select(incoming, columns))
    linker.training.estimate_u_using_random_sampling(
        max_pairs=options.u_max_pairs, seed=options.seed
    )
    for rule in training_rules(columns):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    trained = linker.misc.save_model_to_json()
    return LinkageModel(trained, columns)


def _select(frame: pl.DataFrame, columns: LinkageColumns) -> pl.DataFrame:
    return frame.select(columns.used())


def predict(
    model: LinkageModel,
    register: pl.DataFrame,
    incoming: pl.DataFrame,
    *,
    threshold: float = 0.5,
) -> pl.DataFrame:
    """Scored candidate pairs above ``threshold``: ``register_id``, ``record_id`` (the unique
    ids of each side), ``match_probability`` and ``match_weight``."""
    cols = model.columns
    linker = _linker(model.settings, _select(register, cols), _select(incoming, cols))
    scored = linker.inference.predict(threshold_match_probability=threshold)
    pairs = pl.from_arrow(scored.as_pyarrow_table())  # type: ignore[no-untyped-call]
    assert isinstance(pairs, pl.DataFrame)
    uid = cols.unique_id
    left_is_register = pl.col("source_dataset_l") == REGISTER
    return pairs.select(
        pl.when(left_is_register).then(f"{uid}_l").otherwise(f"{uid}_r").alias("register_id"),
        pl.when(left_is_register).then(f"{uid}_r").otherwise(f"{uid}_l").alias("record_id"),
        "match_probability",
        "match_weight",
    ).sort("record_id", "register_id")


def best_matches(pairs: pl.DataFrame) -> pl.DataFrame:
    """The highest-scoring register candidate of each incoming record (ties: lowest id)."""
    ordered = pairs.sort(
        ["record_id", "match_weight", "register_id"], descending=[False, True, False]
    )
    return ordered.unique("record_id", keep="first", maintain_order=True)
