"""Service settings, read from the environment (``AFFECTSCOPE_*``) or a ``.env`` file, with safe defaults.

Examples
--------
>>> s = ServiceSettings(data_dir="/tmp/affectscope-doc", max_upload_mb=5)
>>> s.max_upload_bytes
5242880
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ServiceSettings"]


class ServiceSettings(BaseSettings):
    """Limits, storage and security of ``affectscope serve``.

    Every field can be set as an environment variable, e.g. ``AFFECTSCOPE_API_KEY``,
    ``AFFECTSCOPE_MAX_UPLOAD_MB=200``, ``AFFECTSCOPE_DATA_DIR=/var/lib/affectscope``.
    """

    model_config = SettingsConfigDict(env_prefix="AFFECTSCOPE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("affectscope-data"), description="Jobs database, uploads and results live here.")
    api_key: SecretStr | None = Field(
        None, description="Required in X-API-Key (or Authorization: Bearer) when set; mandatory off loopback."
    )
    max_upload_mb: float = Field(200.0, gt=0, description="Largest upload accepted (413 above).")
    max_duration_s: float = Field(3600.0, gt=0, description="Longest audio/video accepted (422 above).")
    max_text_chars: int = Field(1_000_000, gt=0, description="Longest pasted text accepted (413 above).")
    queue_size: int = Field(64, gt=0, description="Jobs waiting at most; more are refused with 429 and Retry-After.")
    workers: int = Field(1, gt=0, description="Analyses run at the same time.")
    threads: int | None = Field(
        None, gt=0, description="CPU threads per model (default: all cores but one, so the API stays responsive)."
    )
    keep_media: bool = Field(False, description="Keep uploads after analysis (else they are deleted at once).")
    result_ttl_hours: float = Field(168.0, gt=0, description="Results (and kept media) are deleted after this.")

    @property
    def model_threads(self) -> int:
        """Threads each model uses: ``threads``, else all cores but one (at least one)."""
        import os

        return self.threads or max(1, (os.cpu_count() or 2) - 1)

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)
