"""Settings, read from ``CERTFLOW_*`` environment variables (and a ``.env`` file when present).

Embedded defaults: with neither ``CERTFLOW_TEMPORAL_ADDRESS`` nor ``CERTFLOW_DATABASE_URL`` set,
``certflow up`` starts its own Temporal dev server and PostgreSQL under ``data_dir``. Setting either
points certflow at an external server instead, and then that part is not started.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from rules.policy import SchemePolicy
from schemas.outbox import StaffMail
from schemas.scheduling import SchedulingPolicy
from schemas.staff import Role
from schemas.tokens import DEFAULT_TOKEN_LIFETIME_DAYS

SEARCH_ATTRIBUTES: dict[str, str] = {
    # name -> Temporal indexed value type: the one list of them, registered at dev-server start, by
    # `certflow temporal setup` on any other cluster (certflow/temporal_setup.py) and in tests.
    "CertificateNumber": "Keyword",
    "CertStatus": "Keyword",
    "StarLevel": "Keyword",
    "OrganizationName": "Text",
    "NextDue": "Datetime",
    # Issue 16: every process found from its start, by its application, the organization's credit code, or a
    # part of its name (the dev server's Text search does not split Chinese words: workflows/search_attributes.py).
    "ApplicationId": "Keyword",
    "CreditCode": "Keyword",
    "OrganizationTerms": "KeywordList",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CERTFLOW_", env_file=".env", extra="ignore", env_nested_delimiter="__"
    )

    data_dir: Path = Field(Path(".certflow"), description="where embedded servers keep their data")
    host: str = "127.0.0.1"

    # Temporal
    temporal_address: str | None = Field(None, description="host:port of an external Temporal; unset = embedded")
    temporal_namespace: str = "default"
    temporal_api_key: str | None = None
    temporal_tls: bool = Field(False, description="TLS to Temporal (implied by a client certificate)")
    temporal_tls_cert: Path | None = Field(
        None, description="mTLS: the client certificate (PEM file), e.g. a Temporal Cloud namespace's")
    temporal_tls_key: Path | None = Field(None, description="mTLS: the client certificate's private key (PEM file)")
    temporal_port: int = 7233
    temporal_ui_port: int = 8233
    temporal_http_port: int = Field(7243, description="the embedded dev server's HTTP API")
    temporal_metrics_port: int = Field(7244, description="the embedded dev server's Prometheus /metrics")
    temporal_namespace_retention_days: int = Field(
        30, ge=1, description="`certflow temporal setup`: how long a namespace it registers keeps closed workflows")
    task_queue: str = "certflow"

    # PostgreSQL
    database_url: str | None = Field(None, description="postgresql://... of an external server; unset = embedded")
    postgres_port: int = 5433
    database_name: str = "certflow"
    db_pool_min: int = 1
    db_pool_max: int = 10

    # API
    api_port: int = 8000
    intake_roles: tuple[Role, ...] = Field(
        (Role.REVIEWER,), min_length=1,
        description="**Decision** (issue 12): the roles that may submit an application (api/permissions.py); "
                    'e.g. CERTFLOW_INTAKE_ROLES=\'["reviewer","manager"]\'')
    staff_admin_roles: tuple[Role, ...] = Field(
        (Role.MANAGER, Role.OPERATOR), min_length=1,
        description="**Decision** (issue 13): the roles that may see, revoke and rotate staff tokens and "
                    "deactivate staff through the API (managers answer for the staff, operators for the system)")
    token_lifetime_days: int = Field(
        DEFAULT_TOKEN_LIFETIME_DAYS, ge=1, le=3650,
        description="**Decision** (issue 13): how long a newly issued staff token lets its holder in")
    token_last_use_resolution_seconds: int = Field(
        60, ge=0, le=86400,
        description="a token's last use is written at most once in this many seconds (0: on every request)")
    staff_readers: tuple[Role, ...] = Field(
        (Role.PROGRAMME_MANAGER, Role.MANAGER, Role.OPERATOR), min_length=1,
        description="**Decision** (issue 13): the roles that may read the staff directory (GET /api/v1/staff): "
                    "those who form teams and run the body; e.g. CERTFLOW_STAFF_READERS='[\"manager\"]'")

    # Limits (issue 13): each a **Decision**, in-process, per API instance.
    max_body_bytes: int = Field(
        1024 * 1024, gt=0, description="**Decision**: the largest request body taken, in bytes (413 beyond); "
                                       "applications and task answers are a few kilobytes")
    public_rate_limit: int = Field(
        120, ge=0, description="**Decision**: requests to /public/... per client address per public_rate_window "
                               "(429 beyond, with Retry-After); 0 = no limit")
    public_rate_window: float = Field(60.0, gt=0, description="seconds over which public_rate_limit is counted")
    failed_auth_limit: int = Field(
        10, ge=0, description="**Decision**: refused tokens per client address per failed_auth_window; past it, "
                              "every request carrying a token is 429 until the window frees; 0 = no limit")
    failed_auth_window: float = Field(60.0, gt=0, description="seconds over which failed_auth_limit is counted")
    unavailable_retry_after: int = Field(
        5, gt=0, description="**Decision**: the Retry-After (seconds) of a 503 when the register or Temporal is away")

    # Mail (SMTP). With smtp_sink, `certflow up` runs a local sink at smtp_host:smtp_port that keeps every
    # message under data_dir/mail/ (`certflow mail list`); set it false to point at a real mail server.
    mail_templates_dir: Path | None = Field(
        None, description="the body's own mail templates; a file here wins over the shipped one of the same name")
    body_name: str = Field("认证机构", description="the certification body's name, signing its notices")
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = Field(False, description="upgrade the connection with STARTTLS (required when true)")
    mail_from: str = "certflow <noreply@certflow.invalid>"
    smtp_sink: bool = Field(True, description="`certflow up` starts a local mail sink at smtp_host:smtp_port")
    staff_mail: StaffMail = Field(
        StaffMail.PER_TASK, description="**Decision** (issue 13): per_task mails a person each task as it opens; "
                                        "daily_digest sends each person one list of their open tasks per working day")
    staff_digest_hour: int = Field(
        8, ge=0, le=23, description="**Decision**: the hour (Asia/Shanghai) of each working day the digest leaves")
    staff_digest_role_tasks: bool = Field(
        True, description="**Decision**: the digest also lists the open tasks of a person's roles that nobody is "
                          "assigned to (otherwise these reach no one before their reminder)")

    # Certificate documents
    document_font: Path | None = Field(
        None, description="a CJK TrueType font (.ttf/.ttc) for the certificate PDF; "
                          "unset = Debian's WenQuanYi Micro Hei")
    accreditation_number: str | None = Field(
        None, description="R-10.2.1: printed with the accreditation mark; unset before accreditation")
    public_url: str | None = Field(
        None, description="where the public register is reached (the QR code on each certificate); unset = the API")

    # The body's Decisions on the scheme (RULES.md **Decision**), RULES.md's reading by default.
    scheme: SchemePolicy = Field(default_factory=SchemePolicy)
    # Issue 18: the audit planner's choices (all Decisions), e.g. CERTFLOW_SCHEDULING__MAX_ONSITE_DAYS=4.
    scheduling: SchedulingPolicy = Field(default_factory=SchedulingPolicy)
    public_information_file: Path | None = Field(
        None, description="R-8: the body's own public information (services, procedure, fees) as JSON shaped "
                          "like rules/data/public_information.json; unset: that file")

    # Metrics: the API serves its own on /metrics; the worker's Temporal SDK metrics on their own port.
    worker_metrics_address: str | None = Field(
        None, description="host:port where the worker serves the Temporal SDK's Prometheus metrics (/metrics); "
                          "unset: not served")

    # Workers (workers/pair.py): which of the two a process runs, how much each takes on, how long a stop waits.
    worker_role: Literal["all", "core", "io"] = Field(
        "all", description="all: the core and the I/O worker in one process; core or io: one of them, to scale apart")
    up_io_worker_apart: bool = Field(
        True, description="certflow up, with worker_role all: the I/O worker (mail, PDFs, the planner) in a process "
                          "of its own beside the core one, so that they do not share one interpreter")
    worker_max_cached_workflows: int = Field(
        500, ge=0, description="workflows kept in the worker's memory between tasks (about 0.8 MB each); a "
                               "workflow not cached is replayed from its history on its next task")
    worker_max_concurrent_activities: int = Field(50, ge=1, description="register activities run at once")
    worker_max_concurrent_io: int = Field(20, ge=1, description="mails and documents made at once")
    worker_graceful_shutdown: float = Field(
        30.0, ge=0, description="seconds a stopping worker lets running activities finish before cancelling them "
                                "(a cancelled one is retried by the next worker)")
    tracing: bool = Field(False, description="OpenTelemetry traces through Temporal's interceptor, sent by OTLP/HTTP "
                                             "to OTEL_EXPORTER_OTLP_ENDPOINT (certflow/tracing.py)")

    # Logs
    log_level: str = "INFO"
    log_json: bool = Field(False, description="JSON log lines instead of the console renderer")

    @property
    def embedded_temporal(self) -> bool:
        return not self.temporal_address

    @property
    def embedded_postgres(self) -> bool:
        return not self.database_url

    @property
    def temporal_target(self) -> str:
        return self.temporal_address or f"{self.host}:{self.temporal_port}"

    @property
    def temporal_ui_url(self) -> str | None:
        return f"http://{self.host}:{self.temporal_ui_port}" if self.embedded_temporal else None

    @property
    def mail_dir(self) -> Path:
        """Where the local sink keeps what it received."""
        return self.data_dir / "mail"

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
