"""The vendor module's domain operations: the only code that writes vendors, their
documents, assessments and the review cadence. Each validates everything first, then
writes in one transaction with its activity-log row(s); a refused request writes nothing.

Files (documents, answer attachments) become evidence files through
:func:`zgovern.evidence.services.add_file`, inside the same transaction, so a refused
attachment also undoes the rows written before it (a stored blob may stay behind,
harmlessly: blobs are named by content).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.core.tokens import digest, new_secret
from zgovern.evidence import services as evidence
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Membership, Organization
from zgovern.vendors import questionnaires
from zgovern.vendors.models import (
    DEFAULT_REVIEW_MONTHS,
    SOC2_KINDS,
    Assessment,
    AssessmentAttachment,
    ReviewCadence,
    Vendor,
    VendorAssessmentStatus,
    VendorConclusion,
    VendorCriticality,
    VendorDataCategory,
    VendorDocument,
    VendorDocumentKind,
)

VENDOR_FIELDS = (
    "name", "service", "criticality", "data_categories", "contract_start", "contract_end",
    "contact_name", "contact_email", "is_subprocessor", "public_description",
)  # fmt: skip
_LIMITS = {
    "name": 200, "service": 300, "contact_name": 200, "contact_email": 254,
    "public_description": 500,
}  # fmt: skip
LINK_DAYS_DEFAULT = 14
LINK_DAYS_MAX = 60
NOTES_MAX = 4000
REVIEW_MONTHS_MAX = 60


# -- vendors --------------------------------------------------------------------------


def create_vendor(
    org: Organization, actor: Actor, *, owner_email: str = "", **fields: Any
) -> Vendor:
    """Add a vendor. Required: name, criticality. ``owner_email`` names a member of the
    organisation. A name already used (any case) is a ``Conflict``."""
    values = {name: None for name in VENDOR_FIELDS} | fields
    clean = _clean_vendor(values)
    owner = _owner(org, owner_email)
    with transaction.atomic():
        vendor = Vendor(organization=org, owner=owner, **clean)
        _save_unique(vendor)
        record(org, actor, "vendor.created", vendor, _snapshot(vendor))
    return vendor


def update_vendor(org: Organization, actor: Actor, vendor_id: Any, **fields: Any) -> Vendor:
    """Change the given fields (``owner_email`` "" clears the owner); records nothing when
    nothing changes."""
    with transaction.atomic():
        vendor = get_vendor(org, vendor_id, lock=True)
        values = {name: getattr(vendor, name) for name in VENDOR_FIELDS}
        values["data_categories"] = vendor.data_category_list
        values |= {k: v for k, v in fields.items() if k in VENDOR_FIELDS}
        changes = _apply(vendor, _clean_vendor(values))
        if "owner_email" in fields:
            owner = _owner(org, fields["owner_email"] or "")
            if owner != vendor.owner:
                changes["owner"] = [_email(vendor.owner), _email(owner)]
                vendor.owner = owner
        if not changes:
            return vendor
        vendor.updated_at = timezone.now()
        _save_unique(vendor)
        record(org, actor, "vendor.updated", vendor, changes)
    return vendor


def get_vendor(org: Organization, vendor_id: Any, *, lock: bool = False) -> Vendor:
    rows = Vendor.objects.filter(organization=org, pk=_pk(vendor_id))
    vendor = (rows.select_for_update(of=("self",)) if lock else rows).first()
    if vendor is None:
        raise NotFound("No such vendor.")
    return vendor


def _clean_vendor(values: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, limit in _LIMITS.items():
        clean[name] = _bounded(values.get(name), limit, name)
    if not clean["name"]:
        raise DomainError("A name is required.", field="name")
    if clean["contact_email"]:
        clean["contact_email"] = _valid_email(clean["contact_email"], "contact_email")
    if values.get("criticality") not in VendorCriticality.values:
        raise DomainError(
            f"Choose one of: {', '.join(VendorCriticality.values)}.", field="criticality"
        )
    clean["criticality"] = values["criticality"]
    clean["data_categories"] = _categories(values.get("data_categories"))
    start, end = values.get("contract_start"), values.get("contract_end")
    for name, day in (("contract_start", start), ("contract_end", end)):
        if day is not None and not isinstance(day, date):
            raise DomainError("Enter a date (YYYY-MM-DD).", field=name)
    if start and end and end < start:
        raise DomainError("The contract ends before it starts.", field="contract_end")
    clean["contract_start"], clean["contract_end"] = start, end
    clean["is_subprocessor"] = bool(values.get("is_subprocessor"))
    return clean


def _categories(value: Any) -> str:
    """Data categories as stored: known keys, sorted, wrapped in commas."""
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    keys = sorted({str(v).strip() for v in value or ()})
    unknown = [k for k in keys if k not in VendorDataCategory.values]
    if unknown:
        allowed = ", ".join(VendorDataCategory.values)
        raise DomainError(f"Unknown data category {unknown[0]!r} (use: {allowed}).",
                          field="data_categories")  # fmt: skip
    return f",{','.join(keys)}," if keys else ""


def _owner(org: Organization, email: str):
    email = (email or "").strip().lower()
    if not email:
        return None
    membership = (
        Membership.objects.filter(organization=org, user__email__iexact=email)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise DomainError(f"{email} is not a member of this organisation.", field="owner_email")
    return membership.user


def _save_unique(vendor: Vendor) -> None:
    try:
        with transaction.atomic():
            vendor.save()
    except IntegrityError:
        raise Conflict(f"A vendor named {vendor.name!r} already exists.", field="name") from None


def _apply(vendor: Vendor, clean: dict) -> dict[str, list]:
    changes = {}
    for name, value in clean.items():
        old = getattr(vendor, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(vendor, name, value)
    return changes


def _snapshot(vendor: Vendor) -> dict:
    data = {name: _plain(getattr(vendor, name)) for name in VENDOR_FIELDS}
    data["data_categories"] = vendor.data_category_list
    data["owner"] = _email(vendor.owner)
    return data


# -- compliance documents -------------------------------------------------------------


def add_document(
    org: Organization,
    actor: Actor,
    vendor_id: Any,
    *,
    kind: str,
    uploaded_file,
    title: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
    expires_on: date | None = None,
) -> VendorDocument:
    """Attach a compliance document. A SOC 2 report needs its period; its expiry defaults
    to a year after the period ends (reports are read as current for twelve months). Any
    other document needs ``expires_on``. The file is checked (type, size) by evidence."""
    vendor = get_vendor(org, vendor_id)
    if kind not in VendorDocumentKind.values:
        raise DomainError(f"Choose one of: {', '.join(VendorDocumentKind.values)}.", field="kind")
    title = _bounded(title, 200, "title") or f"{VendorDocumentKind(kind).label} of {vendor.name}"
    if kind in SOC2_KINDS:
        if period_start is None or period_end is None:
            raise DomainError(
                "A SOC 2 report needs its period (start and end).", field="period_start"
            )
        if period_end < period_start:
            raise DomainError("The period ends before it starts.", field="period_end")
        expires_on = expires_on or period_end + timedelta(days=365)
    if expires_on is None:
        raise DomainError("When does this document expire?", field="expires_on")
    with transaction.atomic():
        vendor = get_vendor(org, vendor.pk, lock=True)
        item = evidence.add_file(
            org, actor, kind="vendor_document", title=title, uploaded_file=uploaded_file,
            period_start=period_start, period_end=period_end, tags=["vendor", kind],
        )  # fmt: skip
        document = VendorDocument.objects.create(
            organization=org, vendor=vendor, kind=kind, title=title, period_start=period_start,
            period_end=period_end, expires_on=expires_on, evidence=item,
        )  # fmt: skip
        _refresh_soc2(vendor)
        record(org, actor, "vendor.document_added", vendor, {
            "kind": kind, "title": title, "expires_on": expires_on.isoformat(),
            "evidence": item.pk,
        })  # fmt: skip
    return document


def _refresh_soc2(vendor: Vendor) -> None:
    latest = vendor.documents.filter(kind__in=SOC2_KINDS).aggregate(m=Max("expires_on"))["m"]
    if latest != vendor.soc2_expires_on:
        vendor.soc2_expires_on = latest
        vendor.save(update_fields=["soc2_expires_on"])


# -- assessments ----------------------------------------------------------------------


def start_assessment(
    org: Organization, actor: Actor, vendor_id: Any, *, questionnaire: str = "security"
) -> Assessment:
    """Start an assessment from a template, to be filled in internally or sent."""
    template = questionnaires.get(questionnaire)
    with transaction.atomic():
        vendor = get_vendor(org, vendor_id, lock=True)
        assessment = Assessment.objects.create(
            organization=org, vendor=vendor, questionnaire_key=template.key,
            questionnaire_title=template.title, questions=template.as_snapshot(),
            status=VendorAssessmentStatus.IN_PROGRESS,
        )  # fmt: skip
        record(org, actor, "vendor.assessment_started", vendor,
               {"assessment": assessment.pk, "questionnaire": template.key})  # fmt: skip
    return assessment


def get_assessment(org: Organization, assessment_id: Any, *, lock: bool = False) -> Assessment:
    rows = Assessment.objects.filter(organization=org, pk=_pk(assessment_id))
    assessment = (rows.select_for_update(of=("self",)) if lock else rows).first()
    if assessment is None:
        raise NotFound("No such assessment.")
    return assessment


def send_link(
    org: Organization,
    actor: Actor,
    assessment_id: Any,
    *,
    email: str = "",
    days: int = LINK_DAYS_DEFAULT,
) -> tuple[Assessment, str]:
    """Issue the vendor's link (default to the vendor's contact) and return the raw token,
    shown once. Sending again replaces the previous link. Only an assessment without
    answers yet can be sent."""
    if not isinstance(days, int) or not 1 <= days <= LINK_DAYS_MAX:
        raise DomainError(f"A link lasts 1 to {LINK_DAYS_MAX} days.", field="days")
    raw = new_secret("va_")
    with transaction.atomic():
        assessment = get_assessment(org, assessment_id, lock=True)
        if assessment.status not in (
            VendorAssessmentStatus.IN_PROGRESS,
            VendorAssessmentStatus.SENT,
        ):
            raise Conflict("This assessment already has its answers.", field="status")
        email = _valid_email(email or assessment.vendor.contact_email, "email")
        now = timezone.now()
        assessment.token_hash = digest(raw)
        assessment.link_expires_at = now + timedelta(days=days)
        assessment.sent_to, assessment.sent_at = email, now
        assessment.status = VendorAssessmentStatus.SENT
        assessment.save()
        record(org, actor, "vendor.assessment_sent", assessment.vendor, {
            "assessment": assessment.pk, "to": email,
            "expires_at": assessment.link_expires_at.isoformat(),
        })  # fmt: skip
    return assessment, raw


def submit_answers(
    org: Organization,
    actor: Actor,
    assessment_id: Any,
    *,
    answers: dict[str, dict],
    files: dict[str, Any] | None = None,
    submitted_by: str = "",
    via_link: bool = False,
) -> Assessment:
    """Record the answers (every question answered, by its type) and their attachments
    (only on questions that allow one). ``via_link`` answers come from the vendor's link:
    the link must still be open (``Gone`` otherwise). Internal answers are taken while
    the assessment is in progress or sent (the link then closes)."""
    files = {k: v for k, v in (files or {}).items() if v is not None}
    with transaction.atomic():
        assessment = get_assessment(org, assessment_id, lock=True)
        _check_open(assessment, via_link)
        clean = questionnaires.clean_answers(assessment.questions, answers)
        _check_attachment_questions(assessment.questions, files)
        for question_id, upload in sorted(files.items()):
            _attach(org, actor, assessment, question_id, upload)
        assessment.answers = clean
        assessment.status = VendorAssessmentStatus.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment.submitted_by = (submitted_by or actor.label)[:300]
        assessment.save()
        record(org, actor, "vendor.assessment_submitted", assessment.vendor, {
            "assessment": assessment.pk, "via_link": via_link, "attachments": len(files),
        })  # fmt: skip
    return assessment


def _check_open(assessment: Assessment, via_link: bool) -> None:
    if via_link:
        # The hash is kept after submission, so a reused link is told why it is closed.
        if assessment.status != VendorAssessmentStatus.SENT:
            raise LinkGone("These answers were already submitted; the link is closed.")
        if timezone.now() >= assessment.link_expires_at:
            raise LinkGone("This link has expired. Ask your contact for a new one.")
    elif assessment.status not in (VendorAssessmentStatus.IN_PROGRESS, VendorAssessmentStatus.SENT):
        raise Conflict("This assessment already has its answers.", field="status")


def _check_attachment_questions(questions: list[dict], files: dict[str, Any]) -> None:
    allowed = {q["id"] for q in questions if q.get("attachment")}
    for question_id in files:
        if question_id not in allowed:
            raise DomainError("This question takes no attachment.", field=f"f_{question_id}")


def _attach(org, actor, assessment: Assessment, question_id: str, upload) -> None:
    try:
        item = evidence.add_file(
            org, actor, kind="vendor_answer", uploaded_file=upload,
            title=f"{assessment.vendor.name}: answer to {question_id}"[:200],
            tags=["vendor", "assessment"],
        )  # fmt: skip
    except DomainError as exc:
        raise DomainError(
            f"Attachment for {question_id}: {exc.message}", field=f"f_{question_id}"
        ) from None
    AssessmentAttachment.objects.create(
        organization=org, assessment=assessment, question_id=question_id, evidence=item
    )


class LinkGone(DomainError):
    status = 410


def conclude(
    org: Organization,
    actor: Actor,
    assessment_id: Any,
    *,
    conclusion: str,
    notes: str = "",
    assessed_at: datetime | None = None,
) -> Assessment:
    """The reviewer's conclusion on submitted answers: completes the assessment, sets when
    the next is due (by the vendor's criticality and the organisation's cadence), records
    the assessment as evidence and links it to the vendor controls. ``assessed_at``
    (default now, never in the future) records a review done earlier."""
    now = timezone.now()
    if assessed_at is not None and timezone.is_naive(assessed_at):
        assessed_at = assessed_at.replace(tzinfo=UTC)  # the API documents times as UTC
    if assessed_at is not None and assessed_at > now:
        raise DomainError("The assessment date is in the future.", field="assessed_at")
    if conclusion not in VendorConclusion.values:
        raise DomainError(
            f"Choose one of: {', '.join(VendorConclusion.values)}.", field="conclusion"
        )
    notes = _bounded(notes, NOTES_MAX, "notes")
    if conclusion != VendorConclusion.ACCEPTABLE and not notes:
        raise DomainError("Say why, or which conditions apply.", field="notes")
    with transaction.atomic():
        assessment = get_assessment(org, assessment_id, lock=True)
        if assessment.status != VendorAssessmentStatus.SUBMITTED:
            raise Conflict("Only submitted answers can be concluded.", field="status")
        vendor = get_vendor(org, assessment.vendor_id, lock=True)
        now = assessed_at or now
        assessment.conclusion, assessment.review_notes = conclusion, notes
        assessment.reviewed_by = actor.user if getattr(actor.user, "pk", None) else None
        assessment.assessed_at = now
        due = add_months(timezone.localdate(now), review_months(org)[vendor.criticality])
        assessment.next_review_due = due
        assessment.status = VendorAssessmentStatus.COMPLETED
        assessment.evidence = _assessment_evidence(org, actor, assessment, vendor)
        assessment.save()
        _refresh_assessed(vendor)
        record(org, actor, "vendor.assessment_concluded", vendor, {
            "assessment": assessment.pk, "conclusion": conclusion,
            "next_review_due": assessment.next_review_due.isoformat(),
        })  # fmt: skip
    return assessment


def _refresh_assessed(vendor: Vendor) -> None:
    """The vendor's last assessment and next review: those of its newest completed one
    (an older review recorded late never hides a newer one)."""
    latest = (
        vendor.assessments.filter(status=VendorAssessmentStatus.COMPLETED)
        .order_by("-assessed_at", "-id")
        .first()
    )
    vendor.last_assessed_at = latest.assessed_at if latest else None
    vendor.next_review_due = latest.next_review_due if latest else None
    vendor.save(update_fields=["last_assessed_at", "next_review_due"])


def _assessment_evidence(org, actor, assessment: Assessment, vendor: Vendor):
    attachments = list(assessment.attachments.values_list("question_id", "evidence_id"))
    item = evidence.add_record(
        org, actor, kind="vendor_assessment",
        title=f"Security assessment of {vendor.name}"[:200],
        record={
            "vendor": vendor.name, "criticality": vendor.criticality,
            "questionnaire": assessment.questionnaire_key, "questions": assessment.questions,
            "answers": assessment.answers, "submitted_by": assessment.submitted_by,
            "submitted_at": _plain(assessment.submitted_at),
            "attachments": [{"question": q, "evidence": e} for q, e in attachments],
            "conclusion": assessment.conclusion, "notes": assessment.review_notes,
            "reviewed_by": actor.label, "assessed_at": _plain(assessment.assessed_at),
            "next_review_due": _plain(assessment.next_review_due),
        },
        tags=["vendor", "assessment"], period_start=timezone.localdate(assessment.assessed_at),
        period_end=timezone.localdate(assessment.assessed_at),
        collected_at=assessment.assessed_at,
    )  # fmt: skip
    link_to_controls(org, actor, item.pk, ("vendor-assessments", "subservice-reports-reviewed"))
    return item


def link_to_controls(org, actor: Actor, evidence_id: int, keys: tuple[str, ...]) -> list[str]:
    """Link an evidence item to the controls with these keys; a control the organisation
    has not adopted is skipped. Returns the keys linked."""
    from zgovern.controls.models import Control
    from zgovern.controls.services import link_evidence

    linked = []
    for control in Control.objects.filter(organization=org, key__in=keys).order_by("key"):
        link_evidence(org, actor, control.pk, evidence_id)
        linked.append(control.key)
    return linked


# -- review cadence and inventory snapshot --------------------------------------------


def review_months(org: Organization) -> dict[str, int]:
    row = ReviewCadence.objects.filter(organization=org).first()
    return (
        row.months() if row is not None else {str(k): v for k, v in DEFAULT_REVIEW_MONTHS.items()}
    )


def set_review_months(org: Organization, actor: Actor, **months: Any) -> dict[str, int]:
    """Set the months between assessments for the given criticalities (1 to 60)."""
    for level, value in months.items():
        if level not in VendorCriticality.values:
            raise DomainError(f"No criticality {level!r}.", field=level)
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not 1 <= value <= REVIEW_MONTHS_MAX
        ):
            raise DomainError(f"Between 1 and {REVIEW_MONTHS_MAX} months.", field=level)
    with transaction.atomic():
        row, _ = ReviewCadence.objects.select_for_update().get_or_create(organization=org)
        before = row.months()
        for level, value in months.items():
            setattr(row, level, value)
        row.save()
        changes = {k: [before[k], v] for k, v in row.months().items() if before[k] != v}
        if changes:
            record(org, actor, "vendor.review_cadence_changed", None, changes)
    return row.months()


def snapshot_inventory(org: Organization, actor: Actor):
    """Record today's whole inventory as an evidence file (the CSV export, every row) and
    link it to the vendor-inventory control. A file rather than a record: a record is
    capped at 2 MiB, which a large inventory passes."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zgovern.core.exports import csv_bytes
    from zgovern.vendors import exports, queries

    today = timezone.localdate()
    content = csv_bytes(exports.HEADER, exports.rows(queries.vendors(org, today=today), today))
    upload = SimpleUploadedFile(f"vendor-inventory-{today.isoformat()}.csv", content)
    with transaction.atomic():
        item = evidence.add_file(
            org, actor, kind="vendor_inventory", title=f"Vendor inventory on {today.isoformat()}",
            uploaded_file=upload, tags=["vendor", "inventory"], period_start=today,
            period_end=today,
        )  # fmt: skip
        link_to_controls(org, actor, item.pk, ("vendor-inventory",))
    return item


# -- helpers --------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _pk(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise NotFound("Not found.") from None
    if not 0 < pk < 2**63:
        raise NotFound("Not found.")
    return pk


def _bounded(value: Any, limit: int, field_name: str) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise DomainError(f"At most {limit} characters.", field=field_name)
    if "\x00" in text:
        raise DomainError("NUL characters are not allowed.", field=field_name)
    return text


def _valid_email(value: str, field_name: str) -> str:
    value = (value or "").strip().lower()
    try:
        validate_email(value)
    except ValidationError:
        raise DomainError("Enter a valid email address.", field=field_name) from None
    return value


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _email(user) -> str | None:
    return user.email if user is not None else None
