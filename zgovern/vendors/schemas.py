"""Request and response bodies of the vendors API. Inputs refuse unknown fields and carry
the model's length limits; the rules beyond shape are the services' and answer 4xx naming
the field."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from ninja import Field, Schema
from pydantic import ConfigDict

from zgovern.core.schema_types import MAX_ID, Instant
from zgovern.core.schema_types import text as _text
from zgovern.tenancy.schemas import ErrorOut
from zgovern.vendors import queries
from zgovern.vendors.models import (
    Assessment,
    Vendor,
    VendorAssessmentStatus,
    VendorConclusion,
    VendorCriticality,
    VendorDataCategory,
    VendorDocumentKind,
)

__all__ = ["MAX_ID", "ErrorOut"]

VendorSort = Enum("VendorSort", {key.replace("-", "desc_"): key for key in queries.SORTS}, type=str)
VendorFlag = Enum("VendorFlag", {"any": "any", **{key: key for key in queries.FLAGS}}, type=str)


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# -- outputs --------------------------------------------------------------------------


class VendorOut(Schema):
    id: int
    name: str
    service: str
    owner_email: str | None
    criticality: VendorCriticality
    data_categories: list[VendorDataCategory]
    contract_start: date | None
    contract_end: date | None
    contact_name: str
    contact_email: str
    is_subprocessor: bool
    public_description: str
    last_assessed_at: datetime | None
    next_review_due: date | None
    soc2_expires_on: date | None = Field(description="The latest SOC 2 report's expiry.")
    flags: list[str] = Field(description="Keys of `GET /vendor-flags`' flags this vendor has.")

    @staticmethod
    def resolve_owner_email(obj: Vendor) -> str | None:
        return obj.owner.email if obj.owner_id else None

    @staticmethod
    def resolve_data_categories(obj: Vendor) -> list[str]:
        return obj.data_category_list

    @staticmethod
    def resolve_flags(obj: Vendor) -> list[str]:
        return queries.flags_of(obj)


class VendorPage(Schema):
    count: int = Field(description="Vendors matching the filters, across all pages.")
    items: list[VendorOut]


class VendorDocumentOut(Schema):
    id: int
    vendor_id: int
    kind: VendorDocumentKind
    title: str
    period_start: date | None
    period_end: date | None
    expires_on: date
    expired: bool
    evidence_id: int

    @staticmethod
    def resolve_expired(obj) -> bool:
        return obj.is_expired()


class VendorQuestionOut(Schema):
    id: str
    text: str
    type: str = Field(description="`yes_no`, `text` or `choice`.")
    options: list[str]
    attachment: bool
    section: str


class VendorAnswerOut(Schema):
    question_id: str
    answer: str
    comment: str
    attachment_evidence_ids: list[int]


class VendorAssessmentOut(Schema):
    id: int
    vendor_id: int
    questionnaire_key: str
    questionnaire_title: str
    status: VendorAssessmentStatus
    sent_to: str
    sent_at: datetime | None
    link_expires_at: datetime | None
    submitted_at: datetime | None
    submitted_by: str
    conclusion: str = Field(description="Empty until concluded.")
    review_notes: str
    assessed_at: datetime | None
    next_review_due: date | None
    evidence_id: int | None
    questions: list[VendorQuestionOut]
    answers: list[VendorAnswerOut]

    @staticmethod
    def resolve_answers(obj: Assessment) -> list[dict]:
        files: dict[str, list[int]] = {}
        for qid, evidence_id in obj.attachments.values_list("question_id", "evidence_id"):
            files.setdefault(qid, []).append(evidence_id)
        return [
            {"question_id": qid, "attachment_evidence_ids": files.get(qid, []), **value}
            for qid, value in obj.answers.items()
        ]


class VendorAssessmentSummary(Schema):
    id: int
    questionnaire_key: str
    status: VendorAssessmentStatus
    conclusion: str
    assessed_at: datetime | None
    next_review_due: date | None


class VendorSentOut(Schema):
    assessment: VendorAssessmentOut
    link: str = Field(description="The vendor's link, shown this once (only its hash is kept).")


class VendorQuestionnaireOut(Schema):
    key: str
    title: str
    version: int
    description: str
    questions: list[VendorQuestionOut]


class VendorFlaggedOut(Schema):
    vendor_id: int
    name: str
    criticality: VendorCriticality
    flags: list[str]


class VendorFlagsOut(Schema):
    labels: dict[str, str]
    counts: dict[str, int] = Field(description="Vendors carrying each flag.")
    count: int = Field(description="Vendors carrying any flag, across all pages.")
    vendors: list[VendorFlaggedOut]


class VendorFlagsQuery(Schema):
    limit: int = Field(100, ge=1, le=500, description="Flagged vendors per page.")
    offset: int = Field(0, ge=0, le=1_000_000_000)


class VendorCadenceOut(Schema):
    low: int
    medium: int
    high: int
    critical: int


class VendorEvidenceRef(Schema):
    evidence_id: int
    title: str


# -- inputs ---------------------------------------------------------------------------


class VendorQuery(Schema):
    q: _text(200) = Field("", description="Part of the name or service.")  # type: ignore[valid-type]
    criticality: VendorCriticality | None = None
    data_category: VendorDataCategory | None = Field(
        None, description="Vendors accessing this data."
    )
    subprocessor: bool | None = None
    flag: VendorFlag | None = Field(None, description="A flag key, or `any`.")
    sort: VendorSort = Field(
        VendorSort.name, description="`name`, `criticality`, `next_review_due`, …."
    )
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class VendorIn(Input):
    name: _text(200, 1)  # type: ignore[valid-type]
    service: _text(300) = ""  # type: ignore[valid-type]
    owner_email: _text(254) = Field("", description="A member of the organisation.")  # type: ignore[valid-type]
    criticality: VendorCriticality
    data_categories: list[VendorDataCategory] = Field([], max_length=20)
    contract_start: date | None = None
    contract_end: date | None = None
    contact_name: _text(200) = ""  # type: ignore[valid-type]
    contact_email: _text(254) = ""  # type: ignore[valid-type]
    is_subprocessor: bool = False
    public_description: _text(500) = ""  # type: ignore[valid-type]


class VendorPatch(Input):
    name: _text(200, 1) | None = None  # type: ignore[valid-type]
    service: _text(300) | None = None  # type: ignore[valid-type]
    owner_email: _text(254) | None = None  # type: ignore[valid-type]
    criticality: VendorCriticality | None = None
    data_categories: list[VendorDataCategory] | None = Field(None, max_length=20)
    contract_start: date | None = None
    contract_end: date | None = None
    contact_name: _text(200) | None = None  # type: ignore[valid-type]
    contact_email: _text(254) | None = None  # type: ignore[valid-type]
    is_subprocessor: bool | None = None
    public_description: _text(500) | None = None  # type: ignore[valid-type]


class VendorStartIn(Input):
    questionnaire: _text(60, 1) = "security"  # type: ignore[valid-type]


class VendorSendIn(Input):
    email: _text(254) = Field("", description="Default: the vendor's contact email.")  # type: ignore[valid-type]
    days: int = Field(14, ge=1, le=60, description="How long the link works.")


class VendorAnswerIn(Schema):
    answer: _text(4000)  # type: ignore[valid-type]
    comment: _text(4000) = ""  # type: ignore[valid-type]


class VendorAnswersIn(Input):
    answers: dict[_text(60), VendorAnswerIn] = Field(description="By question id; every question.")  # type: ignore[valid-type]


class VendorConclusionIn(Input):
    conclusion: VendorConclusion
    notes: _text(4000) = Field("", description="Required unless `acceptable`.")  # type: ignore[valid-type]
    assessed_at: Instant | None = Field(None, description="Default now; never in the future.")


class VendorCadenceIn(Input):
    low: int | None = Field(None, ge=1, le=60)
    medium: int | None = Field(None, ge=1, le=60)
    high: int | None = Field(None, ge=1, le=60)
    critical: int | None = Field(None, ge=1, le=60)
