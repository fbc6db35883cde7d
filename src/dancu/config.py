"""Settings, built once (in create_app() or the CLI root) from DANCU_* environment variables.

Every default runs as-is on a laptop: the SQLite file under ./var/, a signing key generated on
first use and kept in ./var/secret.key. Production sets DANCU_DATABASE_URL to PostgreSQL and
DANCU_AUTH__SECRET_KEY to a managed secret.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import BaseModel, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class AuthSettings(BaseModel):
    secret_key: SecretStr | None = None
    token_minutes: int = 60
    issuer: str = "dancu"


class AuditSettings(BaseModel):
    read_journal: bool = True
    """Audit reads through the local journal (moved to the database every ``journal_interval``
    seconds) instead of a write transaction per read; see ``dancu.audit.journal``."""
    journal_interval: float = 0.5
    journal_fsync_every: int = 0
    """fsync the journal every N events (0: leave it to the kernel; survives a killed process,
    not a power cut)."""


class CardSettings(BaseModel):
    biometric_key: SecretStr | None = None
    """AES-256 key for biometrics at rest (base64 of 32 bytes); else ``var/biometric.key``."""
    pki_dir: Path | None = None
    """Where the local key store keeps the CSCA and Document Signer (default ``var/card-pki``)."""
    pki_passphrase: SecretStr | None = None
    printer_dir: Path | None = None
    """The folder printer's output (default ``var/card-printer``)."""
    status_requests_per_minute: int = 30
    """Public card-status checks allowed per client address per minute."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DANCU_", env_nested_delimiter="__")

    database_url: str = "sqlite:///var/dancu.db"
    var_dir: Path = Path("var")
    auth: AuthSettings = AuthSettings()
    audit: AuditSettings = AuditSettings()
    card: CardSettings = CardSettings()
    sql_echo: bool = False

    def signing_key(self) -> bytes:
        """The officers' token signing key: from settings, else a local key made on first use."""
        if self.auth.secret_key is not None:
            return self.auth.secret_key.get_secret_value().encode()
        path = self.var_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip().encode()
