"""API shapes of audits and their bundles."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from zgovern.audits.models import AuditStatus, AuditType
from zgovern.core.schema_types import text


class AuditIn(Schema):
    name: text(200, 1) = Field(description="What the audit is called.")
    framework: text(60, 1) = Field(description="Key of an adopted framework, e.g. `soc2`.")
    audit_type: AuditType = Field(description="`type1` (a date) or `type2` (a period).")
    period_start: date | None = Field(None, description="First day of a Type 2 period.")
    period_end: date | None = Field(None, description="Last day of the period, or a Type 1's date.")
    category_keys: list[text(60, 1)] | None = Field(
        None, description="Categories in scope; empty means the organisation's scoping."
    )
    firm: text(200) = ""
    lead_auditor: text(200) = ""
    fieldwork_start: date | None = None
    draft_due: date | None = None
    final_due: date | None = None


class AuditPatch(Schema):
    name: text(200, 1) | None = None
    audit_type: AuditType | None = None
    status: AuditStatus | None = None
    period_start: date | None = None
    period_end: date | None = None
    category_keys: list[text(60, 1)] | None = None
    firm: text(200) | None = None
    lead_auditor: text(200) | None = None
    fieldwork_start: date | None = None
    draft_due: date | None = None
    final_due: date | None = None


class AuditOut(Schema):
    id: int
    name: str
    framework: str = Field(description="The framework's key.")
    audit_type: str
    status: str
    period_start: date | None
    period_end: date | None
    category_keys: list[str]
    firm: str
    lead_auditor: str
    fieldwork_start: date | None
    draft_due: date | None
    final_due: date | None
    created_at: datetime
    warnings: list[str] = Field(description="What to know before relying on the settings.")


class BundleOut(Schema):
    id: int
    audit_id: int
    status: str = Field(description="`queued`, `building`, `ready` or `failed`.")
    stage: str
    progress_done: int
    progress_total: int
    percent: int
    files: int
    size: int | None
    sha256: str = Field(description="SHA-256 of the whole ZIP file.")
    manifest_sha256: str
    key_fingerprint: str
    error: str
    requested_at: datetime
    finished_at: datetime | None


class SigningKeyOut(Schema):
    fingerprint: str = Field(description="`SHA256:` and the hex digest of the raw public key.")
    public_key: str = Field(description="The Ed25519 public key, base64 of its 32 bytes.")
    public_key_pem: str
    created_at: datetime


class AuditErrorOut(Schema):
    detail: str
    errors: list[dict] = []
