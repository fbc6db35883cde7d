from __future__ import annotations

from dancu.kit.errors import Conflict, InvalidInput


class ImportFileInvalid(InvalidInput):
    code = "registry.import.invalid_file"


class ImportInProgress(Conflict):
    code = "registry.import.in_progress"
