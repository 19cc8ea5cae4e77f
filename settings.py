"""Settings: the only reader of the environment (and of `.env`)."""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A fixed development key: production refuses to start without a real one.
DEV_PHI_KEY = base64.b64encode(b"therapybridge-development-key-32").decode()
DEV_JWT_SECRET = "development-only-jwt-secret-change-me-0123456789"


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line naming it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "production", "test"] = "development"
    database_url: str | None = None
    data_dir: Path = Path("./.data")
    jwt_secret_key: str = ""
    jwt_issuer: str = "therapybridge"
    jwt_audience: str = "therapybridge-api"
    access_token_expire_minutes: int = Field(30, ge=1, le=1440)
    refresh_token_expire_days: int = Field(7, ge=1, le=365)
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    transcription_model: str = "whisper-1"
    extraction_model: str = "gpt-4o"
    # each stage may use its own server; unset: the OPENAI_* value
    transcription_base_url: str | None = None
    transcription_api_key: str | None = None
    extraction_base_url: str | None = None
    extraction_api_key: str | None = None
    # json_schema: strict structured outputs; json_object: the schema in the
    # prompt, for OpenAI-compatible servers without strict schemas
    ai_structured_output: Literal["json_schema", "json_object"] = "json_schema"
    openai_timeout: float = Field(120.0, gt=0)
    openai_max_retries: int = Field(3, ge=0, le=10)
    storage_dir: Path | None = None
    # stored files (audio, exports): a local directory or an S3-compatible bucket
    storage_backend: Literal["local", "s3"] = "local"
    s3_endpoint_url: str | None = None
    s3_bucket: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_connect_timeout: float = Field(5.0, gt=0, le=120)
    max_upload_mb: int = Field(100, ge=1, le=10_000)
    # the pipeline: job retries, worker heartbeat, long inputs
    job_max_attempts: int = Field(3, ge=1, le=10)
    job_retry_base_seconds: int = Field(2, ge=1, le=600)
    # set by `therapybridge serve` unless --no-worker: run a worker in-process
    in_process_worker: bool = False
    worker_concurrency: int = Field(4, ge=1, le=64)
    worker_heartbeat_seconds: float = Field(10.0, gt=0)
    worker_stalled_seconds: float = Field(30.0, gt=0)
    extraction_token_budget: int = Field(24_000, ge=500)
    transcription_max_bytes: int = Field(25 * 1024 * 1024, ge=1024)
    # length of the parts long audio is cut into (under every model's limit)
    transcription_chunk_seconds: int = Field(1200, ge=10, le=1400)
    phi_encryption_key: str = ""
    phi_encryption_old_keys: str = ""
    cors_origins: str = ""
    graphiql: bool | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_use_tls: bool = False
    email_from: str = "TherapyBridge <no-reply@therapybridge.local>"
    frontend_url: str = "http://localhost:3000"
    email_verification_expire_hours: int = Field(24, ge=1, le=24 * 30)
    # practices: who may create an account (None: `invite` in production,
    # `open` in development and test), how long an invitation link works
    signup_mode: Literal["open", "invite"] | None = None
    invitation_expire_hours: int = Field(72, ge=1, le=24 * 30)
    # consent before recording a session or sending it to an AI provider
    require_consent: bool = True
    # fixed-window rate limits, counted in PostgreSQL (shared by all processes)
    login_rate_limit_per_minute: int = Field(5, ge=1, le=10_000)
    signup_rate_limit_per_hour: int = Field(3, ge=1, le=10_000)
    resend_verification_rate_limit_per_hour: int = Field(3, ge=1, le=10_000)
    # `therapybridge create-admin` reads the password here, else prompts for it
    tb_admin_password: SecretStr | None = None
    # retention: audio clean-up and exported reports
    orphaned_file_retention_hours: int = Field(24, ge=1, le=24 * 365)
    failed_session_retention_days: int = Field(7, ge=1, le=3650)
    auto_cleanup_on_startup: bool = False
    export_retention_days: int = Field(7, ge=1, le=365)
    # a HIGH risk alert nobody acknowledged within this many minutes is
    # escalated by email to the session's therapist and the administrators
    risk_escalation_minutes: int = Field(60, ge=1, le=10_080)
    exports_per_hour: int = Field(20, ge=1, le=10_000)
    db_pool_size: int = Field(10, ge=1, le=200)
    db_max_overflow: int = Field(10, ge=0, le=200)
    db_statement_timeout_ms: int = Field(15_000, ge=100)
    workers: int = Field(1, ge=1, le=64)
    # GraphQL operation limits (README "Security hardening")
    max_query_depth: int = Field(10, ge=1, le=100)
    max_query_aliases: int = Field(15, ge=0, le=1000)
    max_query_tokens: int = Field(2000, ge=10, le=100_000)
    max_query_directives: int = Field(50, ge=0, le=1000)
    max_query_chars: int = Field(15_000, ge=100, le=1_000_000)
    max_query_cost: int = Field(5000, ge=1)
    default_connection_size: int = Field(20, ge=1, le=100)
    # unset: 10 outside production, batching off (1) in production
    max_batch_operations: int | None = Field(None, ge=1, le=100)
    # unset: 3 in production, 100 (graphql-core's default) otherwise
    max_validation_errors: int | None = Field(None, ge=1, le=100)
    # JSON bodies (uploads have MAX_UPLOAD_MB)
    max_request_body_kb: int = Field(1024, ge=16, le=1_048_576)
    operation_timeout_seconds: float = Field(30.0, gt=0)
    # schema/fastexec: our shortcuts through strawberry's and graphql-core's
    # execution (same answers; docs/performance.md); off: the plain path
    fast_execution: bool = True
    # bearer token for GET /metrics; in production /metrics needs it, or is
    # served only on METRICS_PORT (bound to 127.0.0.1) and never on the API port
    metrics_token: str | None = None
    metrics_port: int | None = Field(None, ge=1, le=65535)
    # comma-separated proxy addresses (or "*") whose X-Forwarded-For/-Proto
    # uvicorn believes; unset: the socket peer is the client
    trusted_proxies: str = ""
    # path of a JSON map {sha256 hash: document}; set: only these documents run
    trusted_documents: Path | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # analytics: day and week boundaries, and the precomputation schedule
    scheduler_timezone: str = "UTC"
    enable_analytics_scheduler: bool = True
    daily_aggregation_hour: int = Field(0, ge=0, le=23)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("signup_mode", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip().lower() or None
        return value

    @field_validator("trusted_documents")
    @classmethod
    def _readable_manifest(cls, value: Path | None) -> Path | None:
        if value is not None:
            read_manifest(value)
        return value

    @field_validator("scheduler_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _production_secrets(self) -> Settings:
        if self.environment == "production":
            if len(self.jwt_secret_key) < 32:
                raise ValueError(
                    "JWT_SECRET_KEY must be set to at least 32 characters in production"
                )
            if not self.phi_encryption_key:
                raise ValueError("PHI_ENCRYPTION_KEY must be set in production")
        if self.storage_backend == "s3" and not self.s3_bucket:
            raise ValueError("S3_BUCKET must be set when STORAGE_BACKEND=s3")
        if self.phi_encryption_key:
            _decode_key("PHI_ENCRYPTION_KEY", self.phi_encryption_key)
        for old in self.old_phi_keys:
            _decode_key("PHI_ENCRYPTION_OLD_KEYS", old)
        return self

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def graphiql_enabled(self) -> bool:
        if self.graphiql is None:
            return not self.is_production
        return self.graphiql and not self.is_production

    @property
    def open_signup(self) -> bool:
        mode = self.signup_mode or ("invite" if self.is_production else "open")
        return mode == "open"

    @property
    def batch_limit(self) -> int:
        """Operations in one batched request (1: batches are refused)."""
        if self.max_batch_operations is not None:
            return self.max_batch_operations
        return 1 if self.is_production else 10

    @property
    def validation_error_limit(self) -> int:
        if self.max_validation_errors is not None:
            return self.max_validation_errors
        return 3 if self.is_production else 100

    @property
    def jwt_secret(self) -> str:
        return self.jwt_secret_key or DEV_JWT_SECRET

    @property
    def phi_key(self) -> bytes:
        return _decode_key("PHI_ENCRYPTION_KEY", self.phi_encryption_key or DEV_PHI_KEY)

    @property
    def old_phi_keys(self) -> list[str]:
        return [k.strip() for k in self.phi_encryption_old_keys.split(",") if k.strip()]

    @property
    def old_phi_key_bytes(self) -> list[bytes]:
        """PHI_ENCRYPTION_OLD_KEYS decoded: still read, never written."""
        return [_decode_key("PHI_ENCRYPTION_OLD_KEYS", k) for k in self.old_phi_keys]

    @property
    def storage_path(self) -> Path:
        return self.storage_dir or self.data_dir / "storage"

    @property
    def exports_path(self) -> Path:
        """Where exports were written before they moved into the store
        (read once by the file migration)."""
        return self.data_dir / "exports"

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


def read_manifest(path: Path) -> dict[str, str]:
    """A trusted-documents manifest: a JSON object from SHA-256 (hex, or
    ``sha256:<hex>``) to the document with that hash. Anything else is a
    ValueError: a typo must not silently allow nothing, or everything."""
    import hashlib
    import json

    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    if not isinstance(raw, dict):
        raise ValueError(f"{path} must be a JSON object of hash to document")
    manifest: dict[str, str] = {}
    for key, document in raw.items():
        digest = str(key).removeprefix("sha256:").lower()
        valid = len(digest) == 64 and set(digest) <= set("0123456789abcdef")
        if not valid or not isinstance(document, str):
            raise ValueError(f"{path}: {key!r} is not a SHA-256 hash of a document")
        if hashlib.sha256(document.encode()).hexdigest() != digest:
            raise ValueError(f"{path}: the document of {key} has another hash")
        manifest[digest] = document
    return manifest


def _decode_key(name: str, value: str) -> bytes:
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{name} must be base64 of 32 bytes") from None
    if len(key) != 32:
        raise ValueError(f"{name} must be base64 of 32 bytes (got {len(key)} bytes)")
    return key


def load_settings() -> Settings:
    """Read and validate the settings, raising SettingsError with one line."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = "_".join(str(p) for p in err["loc"]).upper()
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{loc}: {msg}" if loc else msg) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
