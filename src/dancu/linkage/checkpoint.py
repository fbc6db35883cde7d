"""Checkpoints of long linkage runs, so a run that is killed goes on where it stopped.

A run is a chain of stages (prepare, train, score, cluster...). Each stage's result is written
to the run's work folder atomically (a temporary file renamed into place) next to a manifest
naming the inputs' fingerprint. Run again with the same inputs and options, and every stage
already done is read back instead of computed; change an input or an option and the fingerprint
differs, so nothing stale is reused.

    work = Checkpoint.open(var_dir / "linkage", fingerprint(file, options))
    left = work.frame("prepared-register", lambda: prepare_people(register))
    model = work.model("model", lambda: train(left, right))
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from dancu.linkage.engine import LinkageModel

_MANIFEST = "manifest.json"


def fingerprint(*parts: Any) -> str:
    """A short digest of files (by content) and options (by their JSON)."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            with part.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        else:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:20]


def _atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    partial = path.with_name(f".{path.name}.partial")
    write(partial)
    with partial.open("rb") as handle:
        os.fsync(handle.fileno())
    partial.replace(path)


@dataclass(frozen=True)
class Checkpoint:
    folder: Path
    key: str

    @classmethod
    def open(cls, root: Path, key: str) -> Checkpoint:
        """The work folder of the run with this fingerprint (made if new)."""
        folder = root / key
        folder.mkdir(parents=True, exist_ok=True)
        manifest = folder / _MANIFEST
        if not manifest.exists():
            _atomic_write(manifest, lambda p: p.write_text(json.dumps({"key": key, "done": []})))
        return cls(folder, key)

    def done(self) -> list[str]:
        manifest = json.loads((self.folder / _MANIFEST).read_text())
        return list(manifest["done"])

    def _mark(self, stage: str) -> None:
        done = [*self.done(), stage]
        text = json.dumps({"key": self.key, "done": done})
        _atomic_write(self.folder / _MANIFEST, lambda p: p.write_text(text))

    def frame(self, stage: str, compute: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        path = self.folder / f"{stage}.parquet"
        if stage in self.done() and path.exists():
            return pl.read_parquet(path)
        result = compute()
        _atomic_write(path, result.write_parquet)
        self._mark(stage)
        return result

    def model(self, stage: str, compute: Callable[[], LinkageModel]) -> LinkageModel:
        path = self.folder / f"{stage}.json"
        if stage in self.done() and path.exists():
            return LinkageModel.load(path)
        result = compute()
        _atomic_write(path, result.save)
        self._mark(stage)
        return result

    def remove(self) -> None:
        """Forget the run (after its results are written): the work files hold personal
        data and are kept no longer than needed."""
        shutil.rmtree(self.folder, ignore_errors=True)


class Passthrough:
    """No checkpoints: every stage is computed (short runs, tests, in-process jobs)."""

    def frame(self, stage: str, compute: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        return compute()

    def model(self, stage: str, compute: Callable[[], LinkageModel]) -> LinkageModel:
        return compute()


Stages = Checkpoint | Passthrough
