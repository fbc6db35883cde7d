"""`dancu synth`: a realistic, deterministic, vectorised synthetic nation written in the
digitisation file format (docs/import-format.md)."""

from __future__ import annotations

from dancu.synth.nation import generate, generate_chunks
from dancu.synth.people import COLUMNS
from dancu.synth.write import FORMATS, write

__all__ = ["COLUMNS", "FORMATS", "generate", "generate_chunks", "write"]
