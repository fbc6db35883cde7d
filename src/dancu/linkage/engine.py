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
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import duckdb
import polars as pl
from splink import DuckDBAPI, Linker
from splink.clustering import cluster_pairwise_predictions_at_threshold
from splink.internals.exceptions import EMTrainingException

from dancu.linkage.levels import blocking_rules, comparisons, training_rules, translate

MODEL_FORMAT: Final = "dancu.linkage.model"
MODEL_VERSION: Final = 1
REGISTER, INCOMING = "register", "incoming"  # Splink dataset names
_LOG_LEVEL: Final = logging.ERROR
LinkType = Literal["link_only", "dedupe_only"]
# A backend turns named frames into Splink's database API and its input tables.
Inputs = Callable[[dict[str, pl.DataFrame]], list[Any]]


class TrainingFailed(ValueError):
    """EM could not estimate the model from the data given."""


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
    # Splink samples u in chunks, stopping early once every level is seen often enough; each
    # chunk is a job on Spark (about 1.5 s there), so one chunk suits small data on Spark.
    u_chunks: int = 10
    # Splink probes for rare levels until each is seen this often (None: no probing).
    u_min_count: int | None = 100
    em_max_iterations: int = 20
    # Share of incoming records expected to have a counterpart in the register: sets the prior
    # that two random records match (share / register size).
    expected_match_share: float = 0.95
    # Deduplication: share of register records that have a duplicate.
    expected_duplicate_share: float = 0.01
    extra_blocking_rules: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class LinkageModel:
    """A trained model: Splink settings with m and u, the column roles it was built for, and
    the term frequencies of the columns that adjust for them (from the data it was trained on,
    so that scoring a small set of candidates still knows that "nguyen" is common)."""

    settings: dict[str, Any]
    columns: LinkageColumns
    version: int = MODEL_VERSION
    term_frequencies: dict[str, dict[str, float]] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        return {"format": MODEL_FORMAT, "version": self.version,
                "columns": asdict(self.columns), "splink_settings": self.settings,
                "term_frequencies": self.term_frequencies}  # fmt: skip

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.document(), indent=1, sort_keys=True), encoding="utf-8")

    @classmethod
    def from_document(cls, document: dict[str, Any], source: str = "the model") -> LinkageModel:
        if document.get("format") != MODEL_FORMAT or document.get("version") != MODEL_VERSION:
            raise ModelVersionError(
                f"{source} is not a {MODEL_FORMAT} model of version {MODEL_VERSION}"
            )
        columns = LinkageColumns(**document["columns"])
        return cls(document["splink_settings"], columns, document["version"],
                   document.get("term_frequencies") or {})  # fmt: skip

    @classmethod
    def load(cls, path: Path) -> LinkageModel:
        return cls.from_document(json.loads(path.read_text(encoding="utf-8")), str(path))


def _tf_columns(settings: dict[str, Any]) -> list[str]:
    return sorted({
        level["tf_adjustment_column"]
        for comparison in settings["comparisons"]
        for level in comparison["comparison_levels"]
        if level.get("tf_adjustment_column")
    })  # fmt: skip


def term_frequencies(
    settings: dict[str, Any], register: pl.DataFrame, *, keep: int = 2_000
) -> dict[str, dict[str, float]]:
    """Share of the register of each of the ``keep`` commonest values of every column the
    model adjusts for term frequency (rarer values fall back to no adjustment)."""
    result = {}
    for column in _tf_columns(settings):
        values = register[column].drop_nulls()
        if values.is_empty():
            continue
        counts = values.value_counts(sort=True).head(keep)
        total = values.len()
        result[column] = {str(v): n / total for v, n in counts.iter_rows()}
    return result


def build_settings(
    columns: LinkageColumns,
    *,
    probability_two_random_records_match: float,
    extra_blocking_rules: tuple[str, ...] = (),
    link_type: LinkType = "link_only",
) -> dict[str, Any]:
    """Splink settings: ``link_only`` (each incoming record against the register) or
    ``dedupe_only`` (the register against itself)."""
    rules = [*blocking_rules(columns), *extra_blocking_rules]
    return {
        "link_type": link_type,
        "unique_id_column_name": columns.unique_id,
        "probability_two_random_records_match": probability_two_random_records_match,
        "comparisons": comparisons(columns),
        "blocking_rules_to_generate_predictions": [{"blocking_rule": r} for r in rules],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "em_convergence": 0.001,
        "max_iterations": 20,
    }


def duckdb_inputs(frames: dict[str, pl.DataFrame]) -> list[Any]:
    """The frames as tables of a fresh in-memory DuckDB (the default backend)."""
    con = duckdb.connect()
    db_api = DuckDBAPI(con)
    tables = []
    for name, frame in frames.items():
        con.register(f"{name}_arrow", frame.to_arrow())
        con.execute(f"CREATE TABLE {name}_input AS SELECT * FROM {name}_arrow")
        con.unregister(f"{name}_arrow")
        tables.append(db_api.register(f"{name}_input", dataset_display_name=name))
    return tables


def backend_inputs(backend: str) -> Inputs:
    """``duckdb`` (one machine, the default) or ``spark`` (a cluster; needs pyspark)."""
    if backend == "duckdb":
        return duckdb_inputs
    if backend == "spark":
        from dancu.linkage import spark

        return spark.inputs
    raise ValueError(f"unknown linkage backend {backend!r}: use duckdb or spark")


def _linker(
    settings: dict[str, Any], frames: dict[str, pl.DataFrame], backend: str = "duckdb"
) -> Linker:
    tables = backend_inputs(backend)(frames)
    # The levels are written in DuckDB's SQL, and Splink does not translate them: a copy for
    # another backend has them rewritten in its dialect (the backend's name).
    return Linker(tables, translate(settings, backend), log_level=_LOG_LEVEL)


def _frames(
    columns: LinkageColumns, register: pl.DataFrame, incoming: pl.DataFrame | None
) -> dict[str, pl.DataFrame]:
    frames = {REGISTER: _select(register, columns)}
    if incoming is not None:
        frames[INCOMING] = _select(incoming, columns)
    return frames


def train(
    register: pl.DataFrame,
    incoming: pl.DataFrame | None = None,
    *,
    columns: LinkageColumns | None = None,
    options: TrainingOptions | None = None,
    backend: str = "duckdb",
) -> LinkageModel:
    """Estimate u by random sampling (seeded) and m by EM over blocked pairs: of the register
    against ``incoming``, or (without it) of the register against itself, for deduplication."""
    columns = columns or LinkageColumns()
    options = options or TrainingOptions()
    n = max(register.height, 2)
    if incoming is None:
        link_type: LinkType = "dedupe_only"
        prior = options.expected_duplicate_share / (n - 1)
    else:
        link_type, prior = "link_only", options.expected_match_share / n
    settings = build_settings(
        columns,
        probability_two_random_records_match=min(prior, 0.5),
        extra_blocking_rules=options.extra_blocking_rules,
        link_type=link_type,
    )
    settings["max_iterations"] = options.em_max_iterations
    linker = _linker(settings, _frames(columns, register, incoming), backend)
    linker.training.estimate_u_using_random_sampling(
        max_pairs=options.u_max_pairs,
        seed=options.seed,
        num_chunks=options.u_chunks,
        min_count_per_level=options.u_min_count,
    )
    rules = training_rules(columns)
    failed = 0
    for rule in rules:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except (ValueError, EMTrainingException):
            # On little data EM can drive a level's m to 0, which Splink refuses, and a rule
            # can find no pairs at all (a file that knows only birth years); the other
            # sessions still estimate those comparisons (each is left free in more than one).
            failed += 1
    if rules and failed == len(rules):
        raise TrainingFailed("too few records to estimate the model; give more data")
    trained = _floor_probabilities(linker.misc.save_model_to_json())
    return LinkageModel(
        trained, columns, term_frequencies=term_frequencies(trained, _select(register, columns))
    )


_FLOOR: Final = 1e-9


def _floor_probabilities(settings: dict[str, Any]) -> dict[str, Any]:
    """EM on a small sample can estimate an m or u of exactly 0 for a level no pair fell in;
    Splink refuses to load such a model, and 0 would make one field veto a match outright."""
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            for key in ("m_probability", "u_probability"):
                value = level.get(key)
                if isinstance(value, float | int) and value < _FLOOR:
                    level[key] = _FLOOR
    return settings


def _select(frame: pl.DataFrame, columns: LinkageColumns) -> pl.DataFrame:
    return frame.select(columns.used())


def _scored(linker: Linker, threshold: float, model: LinkageModel) -> pl.DataFrame:
    for column, shares in model.term_frequencies.items():
        lookup = pl.DataFrame(
            {column: list(shares), f"tf_{column}": list(shares.values())},
            schema={column: pl.String, f"tf_{column}": pl.Float64},
        ).to_arrow()
        registered = linker._db_api.register(lookup, table_name=f"tf_lookup_{column}")
        linker.table_management.register_term_frequency_lookup(registered, column)
    scored = linker.inference.predict(threshold_match_probability=threshold)
    pairs = pl.from_arrow(scored.as_pyarrow_table())  # type: ignore[no-untyped-call]
    assert isinstance(pairs, pl.DataFrame)
    return pairs


def predict(
    model: LinkageModel,
    register: pl.DataFrame,
    incoming: pl.DataFrame,
    *,
    threshold: float = 0.5,
    backend: str = "duckdb",
) -> pl.DataFrame:
    """Scored candidate pairs above ``threshold``: ``register_id``, ``record_id`` (the unique
    ids of each side), ``match_probability`` and ``match_weight``."""
    cols = model.columns
    settings = {**model.settings, "link_type": "link_only"}
    linker = _linker(settings, _frames(cols, register, incoming), backend)
    pairs = _scored(linker, threshold, model)
    uid = cols.unique_id
    left_is_register = pl.col("source_dataset_l") == REGISTER
    return pairs.select(
        pl.when(left_is_register).then(f"{uid}_l").otherwise(f"{uid}_r").alias("register_id"),
        pl.when(left_is_register).then(f"{uid}_r").otherwise(f"{uid}_l").alias("record_id"),
        "match_probability",
        "match_weight",
    ).sort("record_id", "register_id")


def predict_duplicates(
    model: LinkageModel,
    register: pl.DataFrame,
    *,
    threshold: float = 0.5,
    backend: str = "duckdb",
) -> pl.DataFrame:
    """Pairs of register records scored above ``threshold``: ``id_l`` < ``id_r`` (unique ids),
    ``match_probability``, ``match_weight``."""
    cols = model.columns
    settings = {**model.settings, "link_type": "dedupe_only"}
    pairs = _scored(_linker(settings, _frames(cols, register, None), backend), threshold, model)
    uid = cols.unique_id
    return pairs.select(
        pl.min_horizontal(f"{uid}_l", f"{uid}_r").alias("id_l"),
        pl.max_horizontal(f"{uid}_l", f"{uid}_r").alias("id_r"),
        "match_probability",
        "match_weight",
    ).sort("id_l", "id_r")


def clusters(pairs: pl.DataFrame, *, threshold: float) -> pl.DataFrame:
    """Connected components of the pairs at or above ``threshold`` (Splink's clustering):
    ``cluster_id`` and ``unique_id`` of every record in a cluster of two or more."""
    edges = pairs.filter(pl.col("match_probability") >= threshold)
    if edges.is_empty():
        return pl.DataFrame(schema={"cluster_id": pl.Int64, "unique_id": pl.Int64})
    nodes = pl.concat([edges["id_l"], edges["id_r"]]).unique().to_frame("unique_id")
    con = duckdb.connect()
    con.register("nodes_arrow", nodes.to_arrow())
    con.register("edges_arrow", edges.rename({"id_l": "unique_id_l", "id_r": "unique_id_r"})
                 .to_arrow())  # fmt: skip
    con.execute("CREATE TABLE nodes AS SELECT * FROM nodes_arrow")
    con.execute("CREATE TABLE edges AS SELECT * FROM edges_arrow")
    found = cluster_pairwise_predictions_at_threshold(
        "nodes", "edges", DuckDBAPI(con), "unique_id", threshold_match_probability=threshold
    )
    frame = pl.from_arrow(found.as_pyarrow_table())  # type: ignore[no-untyped-call]
    assert isinstance(frame, pl.DataFrame)
    ids = frame.select(pl.col("cluster_id"), pl.col("unique_id").cast(pl.Int64))
    # Number the clusters 1, 2, ... by their lowest member, so output is stable.
    first = ids.group_by("cluster_id").agg(pl.col("unique_id").min().alias("lowest"))
    numbered = first.sort("lowest").with_row_index("number", offset=1)
    return (
        ids.join(numbered, on="cluster_id")
        .select(pl.col("number").cast(pl.Int64).alias("cluster_id"), "unique_id")
        .sort("cluster_id", "unique_id")
    )


def best_matches(pairs: pl.DataFrame) -> pl.DataFrame:
    """The highest-scoring register candidate of each incoming record (ties: lowest id)."""
    ordered = pairs.sort(
        ["record_id", "match_weight", "register_id"], descending=[False, True, False]
    )
    return ordered.unique("record_id", keep="first", maintain_order=True)
