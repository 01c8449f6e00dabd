"""REST endpoints: vendor inventory, compliance documents and security assessments.

The bearer token decides the organisation; every object is looked up through it, so
another organisation's id answers 404. Writes go through :mod:`zgovern.vendors.services`,
which log each one. The vendor's own link (``/vendor-assessment/<token>/``) is a page, not
part of this API.
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import File, Form, Path, Query, Router, Status, UploadedFile

from zgovern.core.actor import Actor
from zgovern.core.errors import NotFound
from zgovern.vendors import mail, queries, questionnaires, services
from zgovern.vendors.models import Assessment, Vendor, VendorDocument, VendorDocumentKind
from zgovern.vendors.schemas import (
    MAX_ID,
    ErrorOut,
    VendorAnswersIn,
    VendorAssessmentOut,
    VendorAssessmentSummary,
    VendorCadenceIn,
    VendorCadenceOut,
    VendorConclusionIn,
    VendorDocumentOut,
    VendorEvidenceRef,
    VendorFlagsOut,
    VendorFlagsQuery,
    VendorIn,
    VendorOut,
    VendorPage,
    VendorPatch,
    VendorQuery,
    VendorQuestionnaireOut,
    VendorSendIn,
    VendorSentOut,
    VendorStartIn,
)

router = Router(tags=["vendors"])

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 410, 422)}
VendorId = Path(..., ge=1, le=MAX_ID, description="A vendor's id.")
DocumentId = Path(..., ge=1, le=MAX_ID, description="A compliance document's id.")
AssessmentId = Path(..., ge=1, le=MAX_ID, description="An assessment's id.")
OptionalFile = File(None, description="The document (PDF, image, Office, text; required).")


def _vendor(request: HttpRequest, vendor_id: int) -> Vendor:
    vendor = queries.vendor(request.organization, vendor_id)
    if vendor is None:
        raise NotFound("No such vendor.")
    return vendor


def _assessment(request: HttpRequest, assessment_id: int) -> Assessment:
    found = queries.assessment(request.organization, assessment_id)
    if found is None:
        raise NotFound("No such assessment.")
    return found


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


# -- vendors --------------------------------------------------------------------------


@router.get("/vendors", response={200: VendorPage, **READ_ERRORS}, summary="List vendors")
def list_vendors(request: HttpRequest, filters: Query[VendorQuery]):
    """The inventory, `limit` from `offset`, searched (`q`), filtered by criticality, data
    accessed, subprocessor and flag, and sorted (`sort`, `-` for descending)."""
    rows = queries.vendors(
        request.organization,
        q=filters.q.strip(),
        criticality=filters.criticality.value if filters.criticality else "",
        data_category=filters.data_category.value if filters.data_category else "",
        subprocessor=""
        if filters.subprocessor is None
        else ("yes" if filters.subprocessor else "no"),
        flag=filters.flag.value if filters.flag else "",
        sort=filters.sort.value,
    )
    return {
        "count": rows.count(),
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
    }


@router.post("/vendors", response={201: VendorOut, **WRITE_ERRORS}, summary="Add a vendor")
def create_vendor(request: HttpRequest, payload: VendorIn):
    """Add a vendor. A name already used (any case) is a 409; an unknown owner or a
    contract ending before it starts, a 400. Logged as `vendor.created`."""
    data = payload.model_dump()
    data["data_categories"] = [c.value for c in payload.data_categories]
    vendor = services.create_vendor(request.organization, _actor(request), **data)
    return Status(201, _vendor(request, vendor.pk))


@router.get(
    "/vendors/{int:vendor_id}", response={200: VendorOut, **READ_ERRORS}, summary="Get a vendor"
)
def get_vendor(request: HttpRequest, vendor_id: int = VendorId):
    """One vendor with its flags."""
    return _vendor(request, vendor_id)


@router.patch(
    "/vendors/{int:vendor_id}", response={200: VendorOut, **WRITE_ERRORS}, summary="Change a vendor"
)
def update_vendor(request: HttpRequest, payload: VendorPatch, vendor_id: int = VendorId):
    """Change the fields given; `owner_email` "" removes the owner. Logged as
    `vendor.updated` with the old and new values."""
    _vendor(request, vendor_id)
    data = payload.model_dump(exclude_unset=True)
    if payload.data_categories is not None:
        data["data_categories"] = [c.value for c in payload.data_categories]
    services.update_vendor(request.organization, _actor(request), vendor_id, **data)
    return _vendor(request, vendor_id)


@router.get(
    "/vendor-flags",
    response={200: VendorFlagsOut, **READ_ERRORS},
    summary="Vendors needing attention",
)
def vendor_flags(request: HttpRequest, page: Query[VendorFlagsQuery]):
    """The flags that feed readiness, how many vendors carry each, and the flagged vendors
    by name (`limit` from `offset`): a critical vendor never assessed or assessed over 365
    days ago, an expired SOC 2 report, an overdue review."""
    org = request.organization
    rows = queries.vendors(org, flag="any")
    window = rows[page.offset : page.offset + page.limit]
    return {
        "labels": queries.FLAGS,
        "counts": queries.flag_counts(org),
        "count": rows.count(),
        "vendors": [
            {"vendor_id": v.pk, "name": v.name, "criticality": v.criticality,
             "flags": queries.flags_of(v)}
            for v in window
        ],
    }  # fmt: skip


@router.post(
    "/vendors/inventory-snapshot",
    response={201: VendorEvidenceRef, **WRITE_ERRORS},
    summary="Record the inventory as evidence",
)
def snapshot_inventory(request: HttpRequest):
    """Record today's whole inventory as an evidence item linked to the vendor-inventory
    control (when adopted)."""
    item = services.snapshot_inventory(request.organization, _actor(request))
    return Status(201, {"evidence_id": item.pk, "title": item.title})


# -- documents ------------------------------------------------------------------------


@router.get(
    "/vendors/{int:vendor_id}/documents",
    response={200: list[VendorDocumentOut], **READ_ERRORS},
    summary="List a vendor's documents",
)
def list_documents(request: HttpRequest, vendor_id: int = VendorId):
    """The vendor's compliance documents, latest expiry first."""
    return list(_vendor(request, vendor_id).documents.all())


@router.post(
    "/vendors/{int:vendor_id}/documents",
    response={201: VendorDocumentOut, **WRITE_ERRORS},
    summary="Add a compliance document",
)
def add_document(
    request: HttpRequest,
    vendor_id: int = VendorId,
    kind: Form[VendorDocumentKind] = VendorDocumentKind.OTHER,
    title: Form[str] = "",
    period_start: Form[date | None] = None,
    period_end: Form[date | None] = None,
    expires_on: Form[date | None] = None,
    file: UploadedFile | None = OptionalFile,
):
    """A multipart upload: the file in `file`, with `kind` (`soc2_type1`, `soc2_type2`,
    `iso27001`, `other`), a SOC 2 report's `period_start` and `period_end`, and
    `expires_on` (default for SOC 2: a year after the period). A file over the evidence
    size limit or of a type not accepted is a 400 naming the problem."""
    _vendor(request, vendor_id)
    document = services.add_document(
        request.organization, _actor(request), vendor_id, kind=kind, uploaded_file=file,
        title=title[:1000], period_start=period_start, period_end=period_end,
        expires_on=expires_on,
    )  # fmt: skip
    return Status(201, document)


@router.get(
    "/vendor-documents/{int:document_id}",
    response={200: VendorDocumentOut, **READ_ERRORS},
    summary="Get a compliance document",
)
def get_document(request: HttpRequest, document_id: int = DocumentId):
    """One compliance document; its file is the evidence item `evidence_id`."""
    document = VendorDocument.objects.filter(
        organization=request.organization, pk=document_id
    ).first()
    if document is None:
        raise NotFound("No such document.")
    return document


# -- assessments ----------------------------------------------------------------------


@router.get(
    "/vendors/{int:vendor_id}/assessments",
    response={200: list[VendorAssessmentSummary], **READ_ERRORS},
    summary="List a vendor's assessments",
)
def list_assessments(request: HttpRequest, vendor_id: int = VendorId):
    """The vendor's assessments, newest first."""
    return list(_vendor(request, vendor_id).assessments.all())


@router.post(
    "/vendors/{int:vendor_id}/assessments",
    response={201: VendorAssessmentOut, **WRITE_ERRORS},
    summary="Start an assessment",
)
def start_assessment(request: HttpRequest, payload: VendorStartIn, vendor_id: int = VendorId):
    """Start an assessment from a questionnaire template (default `security`), to be
    answered internally or sent. Logged as `vendor.assessment_started`."""
    _vendor(request, vendor_id)
    item = services.start_assessment(
        request.organization, _actor(request), vendor_id, questionnaire=payload.questionnaire
    )
    return Status(201, _assessment(request, item.pk))


@router.get(
    "/vendor-assessments/{int:assessment_id}",
    response={200: VendorAssessmentOut, **READ_ERRORS},
    summary="Get an assessment",
)
def get_assessment(request: HttpRequest, assessment_id: int = AssessmentId):
    """One assessment with its questions, answers, attachments and conclusion."""
    return _assessment(request, assessment_id)


@router.post(
    "/vendor-assessments/{int:assessment_id}/send",
    response={200: VendorSentOut, **WRITE_ERRORS},
    summary="Send an assessment to the vendor",
)
def send_assessment(request: HttpRequest, payload: VendorSendIn, assessment_id: int = AssessmentId):
    """Email the vendor a link that needs no account and expires after `days`; the link is
    returned this once. Sending again replaces the previous link. 409 once answered."""
    _assessment(request, assessment_id)
    item, raw = services.send_link(
        request.organization, _actor(request), assessment_id, email=payload.email, days=payload.days
    )
    url = mail.send_link(request, item, raw)
    return {"assessment": _assessment(request, item.pk), "link": url}


@router.post(
    "/vendor-assessments/{int:assessment_id}/answers",
    response={200: VendorAssessmentOut, **WRITE_ERRORS},
    summary="Answer an assessment internally",
)
def answer_assessment(
    request: HttpRequest, payload: VendorAnswersIn, assessment_id: int = AssessmentId
):
    """Record every question's answer (`yes`/`no`, text, or one of a choice's options) on
    the vendor's behalf; closes an open link. 400 naming the first question at fault."""
    _assessment(request, assessment_id)
    answers = {qid: value.model_dump() for qid, value in payload.answers.items()}
    services.submit_answers(request.organization, _actor(request), assessment_id, answers=answers)
    return _assessment(request, assessment_id)


@router.post(
    "/vendor-assessments/{int:assessment_id}/conclusion",
    response={200: VendorAssessmentOut, **WRITE_ERRORS},
    summary="Conclude an assessment",
)
def conclude_assessment(
    request: HttpRequest, payload: VendorConclusionIn, assessment_id: int = AssessmentId
):
    """The reviewer's conclusion (notes required unless `acceptable`): completes the
    assessment, sets its next review date by the vendor's criticality, and records it as
    evidence linked to the vendor-assessments and subservice-reports-reviewed controls."""
    _assessment(request, assessment_id)
    services.conclude(request.organization, _actor(request), assessment_id, **payload.model_dump())
    return _assessment(request, assessment_id)


# -- questionnaires and cadence -------------------------------------------------------


@router.get(
    "/vendor-questionnaires",
    response={200: list[VendorQuestionnaireOut], **READ_ERRORS},
    summary="List questionnaire templates",
)
def list_questionnaires(request: HttpRequest):
    """The questionnaire templates shipped with zGovern."""
    return [_questionnaire(q) for _, q in sorted(questionnaires.catalog().items())]


def _questionnaire(q: questionnaires.Questionnaire) -> dict:
    return {"key": q.key, "title": q.title, "version": q.version,
            "description": q.description, "questions": q.as_snapshot()}  # fmt: skip


@router.get(
    "/vendor-review-cadence",
    response={200: VendorCadenceOut, **READ_ERRORS},
    summary="Get the review cadence",
)
def get_cadence(request: HttpRequest):
    """Months between a vendor's assessments, per criticality."""
    return services.review_months(request.organization)


@router.put(
    "/vendor-review-cadence",
    response={200: VendorCadenceOut, **WRITE_ERRORS},
    summary="Set the review cadence",
)
def set_cadence(request: HttpRequest, payload: VendorCadenceIn):
    """Set the months (1 to 60) for the criticalities given; applies to later conclusions."""
    months = payload.model_dump(exclude_none=True)
    return services.set_review_months(request.organization, _actor(request), **months)
