"""Settings read from the environment (prefix ``TECHWIN_``), built at start-up, never at import."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the placeholder we refuse outside dev


class Environment(StrEnum):
    """Where the process runs; production refuses unsafe defaults."""

    DEV = "dev"
    TEST = "test"
    PROD = "prod"


class Settings(BaseSettings):
    """Process-wide configuration."""

    model_config = SettingsConfigDict(env_prefix="TECHWIN_", extra="ignore")

    env: Environment = Environment.DEV
    database_url: str = "sqlite:///techwin.db"
    secret_key: str = PLACEHOLDER_SECRET
    session_days: int = 14
    cookie_secure: bool = False
    vendor_dir: Path | None = None
    sql_echo: bool = False
    # How long a SQLite writer waits for the write lock before the request answers 503.
    sqlite_busy_timeout_ms: int = 10_000

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.env is not Environment.DEV and self.secret_key in ("", PLACEHOLDER_SECRET):
            raise ValueError(
                "TECHWIN_SECRET_KEY must be set to a long random value outside dev "
                f"(TECHWIN_ENV={self.env.value}); generate one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if self.env is not Environment.DEV and len(self.secret_key) < 32:
            raise ValueError("TECHWIN_SECRET_KEY must be at least 32 characters outside dev")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings of this process (read once from the environment)."""
    return Settings()
