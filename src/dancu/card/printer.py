"""The card printer: where a production batch's personalised cards go.

A ``Printer`` is an external system (conventions: a Protocol, a local implementation chosen in
settings). The built-in ``FolderPrinter`` writes each batch to a folder, one sub-folder per card
with its files (see ``card.personalise``) and a batch manifest, as a card bureau's print queue
would take it. A production printer would send the same files to the personalisation line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

from dancu.card.personalise import Personalised, write_files


class Printer(Protocol):
    def print_card(self, batch_reference: str, card: Personalised) -> None:
        """Hand one personalised card to the printer; raise if it was not accepted."""
        ...

    def close_batch(self, batch_reference: str, summary: dict[str, object]) -> None:
        """Everything of the batch has been sent (or reported as failed)."""
        ...


class FolderPrinter:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __repr__(self) -> str:
        return f"FolderPrinter({self.directory})"

    def print_card(self, batch_reference: str, card: Personalised) -> None:
        write_files(card.files, self.directory / batch_reference / card.card_number)

    def close_batch(self, batch_reference: str, summary: dict[str, object]) -> None:
        folder = self.directory / batch_reference
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
        write_files({"batch.json": text.encode()}, folder)
