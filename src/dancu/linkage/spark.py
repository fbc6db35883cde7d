"""The Spark backend of the linkage engine: ``train``/``predict``/``predict_duplicates`` with
``backend="spark"`` run the same Splink model on Apache Spark instead of DuckDB.

Choose it when the data outgrows one machine: DuckDB links a province's file against the whole
register on one server, and stays the default; Spark spreads blocking and scoring over a
cluster when the pairs to score no longer fit there. ``DANCU_SPARK_MASTER`` selects the
cluster (``spark://host:7077``, ``yarn``...); without it Spark runs inside this process
(``local[2]``), which is what the tests use. Needs ``pip install 'dancu[spark]'`` and Java 17+.

The comparison levels are written in DuckDB's SQL (``dancu.linkage.levels``); the engine
translates them to Spark's (``levels.translate``). The string similarities come from the Scala
UDF jar shipped inside Splink, put on Spark's class path here.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any, Final

import polars as pl
from pyspark.sql import SparkSession
from splink.backends.spark import SparkAPI, similarity_jar_location

DEFAULT_MASTER: Final = "local[2]"
# A local run moves little data: a few shuffle partitions, not Spark's 200.
_LOCAL_CONF: Final = {"spark.sql.shuffle.partitions": "4", "spark.default.parallelism": "4"}
_checkpoint_dirs: list[str] = []


def session() -> SparkSession:
    """The active SparkSession, or a new one for ``DANCU_SPARK_MASTER`` (default
    ``local[2]``) with Splink's similarity functions on the class path."""
    master = os.environ.get("DANCU_SPARK_MASTER", DEFAULT_MASTER)
    builder = (
        SparkSession.builder.master(master)
        .appName("dancu-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if master.startswith("local"):
        for key, value in _LOCAL_CONF.items():
            builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    # Splink writes intermediate tables as parquet under the checkpoint directory: a
    # cluster configures one on shared storage (spark.checkpoint.dir); locally a temp dir does.
    if spark.sparkContext.getCheckpointDir() is None:
        path = tempfile.mkdtemp(prefix="dancu-spark-")
        _checkpoint_dirs.append(path)
        spark.sparkContext.setCheckpointDir(path)
    return spark


def inputs(frames: dict[str, pl.DataFrame]) -> list[Any]:
    """The frames as Spark tables registered with a fresh ``SparkAPI`` under their names (the
    names Splink reports as ``source_dataset``), as ``duckdb_inputs`` does."""
    # A session of its own for each run: it shares the SparkContext (and its executors) but
    # not temp views, whose names Splink fixes (its term-frequency lookups...).
    spark = session().newSession()
    db_api = SparkAPI(spark_session=spark)  # type: ignore[no-untyped-call]
    tables = []
    for name, frame in frames.items():
        # Through Arrow, so Int64 ids, Int32 date parts and nulls keep their types.
        spark.createDataFrame(frame.to_arrow()).createOrReplaceTempView(f"{name}_input")
        tables.append(db_api.register(f"{name}_input", dataset_display_name=name))
    return tables


def stop() -> None:
    """Stop the active SparkSession (tests) and remove the checkpoint dirs made here."""
    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()
    while _checkpoint_dirs:
        shutil.rmtree(_checkpoint_dirs.pop(), ignore_errors=True)
