"""Import runs (the checkpoint that makes an import resumable and idempotent) and their rejects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dancu.kit.clock import now
from dancu.kit.db import Base, UTCDateTime


class ImportRun(Base):
    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The same bytes are one import, whatever the file is called: importing them again adds nothing.
    file_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(String(255))
    officer: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="running")  # running | done
    rows_total: Mapped[int] = mapped_column(Integer)
    # Good rows are written in a fixed order; ``position`` of them are committed.
    rows_valid: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    rows_imported: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    # A load that at least doubles the register rebuilds the name index once at the end
    # instead of maintaining it row by row; set while the index is suspended.
    index_suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ImportReject(Base):
    __tablename__ = "import_rejects"
    __table_args__ = (Index("ix_import_rejects_run_id_line", "run_id", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id"))
    line: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[str | None] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(String(300))
