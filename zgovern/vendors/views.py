"""Vendor pages: the inventory (filtered, sorted, 50 a page, CSV/XLSX export), a vendor's
page with its documents and assessments, the forms that add and change them, the review of
an assessment, the questionnaire templates and the review cadence.

Reads need READ and writes WRITE (enforced by the tenancy middleware); a reader who opens a
form is sent back with a note. Bad input shows the form again with the reason and the
service's 4xx status.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.tenancy import roles
from zgovern.vendors import exports, mail, queries, questionnaires, services
from zgovern.vendors.forms import (
    CadenceForm,
    ConclusionForm,
    DocumentForm,
    FilterForm,
    SendForm,
    StartForm,
    VendorForm,
    add_domain_error,
    answers_from_post,
    question_sections,
    vendor_initial,
)
from zgovern.vendors.models import Assessment, Vendor, VendorAssessmentStatus

PAGE_SIZE = 50


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {"active": "vendors", "can_write": request.membership.can(roles.WRITE), **context}
    return render(request, template, context, status=status)


def _read_only(request: HttpRequest) -> HttpResponse | None:
    if request.membership.can(roles.WRITE):
        return None
    messages.info(request, f"Your role ({request.membership.role}) can read vendors only.")
    return redirect("vendors:index", org_slug=request.organization.slug)


def _vendor(request: HttpRequest, vendor_id: int) -> Vendor:
    vendor = queries.vendor(request.organization, vendor_id)
    if vendor is None:
        raise Http404("No such vendor")
    return vendor


def _assessment(request: HttpRequest, assessment_id: int) -> Assessment:
    assessment = queries.assessment(request.organization, assessment_id)
    if assessment is None:
        raise Http404("No such assessment")
    return assessment


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


# -- inventory ------------------------------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[FilterForm, dict]:
    form = FilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    return form, filters


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The inventory, 50 a page, filtered and sorted on the server."""
    form, filters = _filtered(request)
    rows = queries.vendors(request.organization, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    context = {
        "form": form,
        "page": page,
        "rows": [(v, queries.flags_of(v, today)) for v in page.object_list],
        "filtered": any(v for k, v in filters.items() if k != "sort"),
        "flag_counts": queries.flag_counts(request.organization, today),
        "flag_labels": queries.FLAGS,
    }
    return _page(request, "vendors/index.html", context, 400 if form.errors else 200)


@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, exports.csv_download)


@require_safe
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, exports.xlsx_download)


def _export(request: HttpRequest, build) -> HttpResponse:
    form, filters = _filtered(request)
    if form.errors:
        return _page(request, "vendors/index.html", {"form": form, "page": None, "rows": []}, 400)
    return build(queries.vendors(request.organization, **filters), request.organization.slug)


@require_http_methods(["GET", "HEAD", "POST"])
def snapshot(request: HttpRequest) -> HttpResponse:
    """Record today's inventory as evidence (linked to the vendor-inventory control)."""
    if (refused := _read_only(request)) is not None:
        return refused
    if request.method == "POST":
        item = services.snapshot_inventory(request.organization, _actor(request))
        messages.success(request, f"The inventory was recorded as evidence #{item.pk}.")
        return redirect("vendors:index", org_slug=request.organization.slug)
    return _page(request, "vendors/snapshot.html", {})


# -- vendors --------------------------------------------------------------------------


@require_safe
def detail(request: HttpRequest, vendor_id: int) -> HttpResponse:
    vendor = _vendor(request, vendor_id)
    context = {
        "vendor": vendor,
        "flags": [queries.FLAGS[f] for f in queries.flags_of(vendor)],
        "documents": list(vendor.documents.select_related("evidence")),
        "assessments": list(vendor.assessments.all()),
        "start_form": StartForm(),
        "today": timezone.localdate(),
    }
    return _page(request, "vendors/detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def add(request: HttpRequest) -> HttpResponse:
    if (refused := _read_only(request)) is not None:
        return refused
    if request.method != "POST":
        return _form(request, VendorForm(), "Add a vendor")
    form = VendorForm(request.POST)
    if not form.is_valid():
        return _form(request, form, "Add a vendor", status=400)
    try:
        vendor = services.create_vendor(request.organization, _actor(request), **form.cleaned_data)
    except DomainError as exc:
        return _form(request, form, "Add a vendor", status=add_domain_error(form, exc))
    return _done(request, vendor, f"{vendor.name} added to the inventory.")


@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, vendor_id: int) -> HttpResponse:
    vendor = _vendor(request, vendor_id)
    if (refused := _read_only(request)) is not None:
        return refused
    title = f"Edit {vendor.name}"
    if request.method != "POST":
        return _form(request, VendorForm(initial=vendor_initial(vendor)), title, vendor)
    form = VendorForm(request.POST)
    if not form.is_valid():
        return _form(request, form, title, vendor, 400)
    try:
        services.update_vendor(
            request.organization, _actor(request), vendor.pk, **form.cleaned_data
        )
    except DomainError as exc:
        return _form(request, form, title, vendor, add_domain_error(form, exc))
    return _done(request, vendor, "Changes saved.")


@require_http_methods(["GET", "HEAD", "POST"])
def add_document(request: HttpRequest, vendor_id: int) -> HttpResponse:
    vendor = _vendor(request, vendor_id)
    if (refused := _read_only(request)) is not None:
        return refused
    title = f"Add a compliance document of {vendor.name}"
    if request.method != "POST":
        return _form(request, DocumentForm(), title, vendor, multipart=True)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form(request, form, title, vendor, 400, multipart=True)
    data = dict(form.cleaned_data)
    upload = data.pop("file")
    try:
        services.add_document(
            request.organization, _actor(request), vendor.pk, uploaded_file=upload, **data
        )
    except DomainError as exc:
        return _form(request, form, title, vendor, add_domain_error(form, exc), multipart=True)
    return _done(request, vendor, "Document added.")


def _form(
    request: HttpRequest,
    form,
    title: str,
    vendor: Vendor | None = None,
    status: int = 200,
    *,
    multipart: bool = False,
    back: str = "",
) -> HttpResponse:
    context = {"form": form, "title": title, "vendor": vendor, "multipart": multipart,
               "action": request.path, "back": back}  # fmt: skip
    return _page(request, "vendors/form.html", context, status)


def _done(request: HttpRequest, vendor: Vendor, note: str) -> HttpResponse:
    messages.success(request, note)
    return redirect("vendors:detail", org_slug=request.organization.slug, vendor_id=vendor.pk)


# -- assessments ----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def start_assessment(request: HttpRequest, vendor_id: int) -> HttpResponse:
    vendor = _vendor(request, vendor_id)
    if (refused := _read_only(request)) is not None:
        return refused
    title = f"Assess {vendor.name}"
    if request.method != "POST":
        return _form(request, StartForm(), title, vendor)
    form = StartForm(request.POST)
    if not form.is_valid():
        return _form(request, form, title, vendor, 400)
    try:
        assessment = services.start_assessment(
            request.organization, _actor(request), vendor.pk, **form.cleaned_data
        )
    except DomainError as exc:
        return _form(request, form, title, vendor, add_domain_error(form, exc))
    messages.success(request, "Assessment started: fill it in here or send it to the vendor.")
    return _to_assessment(request, assessment)


@require_safe
def assessment(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """An assessment's answers and attachments, and the reviewer's conclusion."""
    item = _assessment(request, assessment_id)
    attachments: dict[str, list] = {}
    for attachment in item.attachments.select_related("evidence"):
        attachments.setdefault(attachment.question_id, []).append(attachment.evidence)
    rows = [
        (q, item.answers.get(q["id"], {}), attachments.get(q["id"], [])) for q in item.questions
    ]
    context = {
        "assessment": item,
        "vendor": item.vendor,
        "rows": rows,
        "link_open": item.status == VendorAssessmentStatus.SENT,
        "link_expired": bool(item.link_expires_at and item.link_expires_at <= timezone.now()),
        "conclusion_form": ConclusionForm(),
        "send_form": SendForm(initial={"email": item.vendor.contact_email, "days": 14}),
    }
    return _page(request, "vendors/assessment.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Fill in the questionnaire internally (with optional attachments)."""
    item = _assessment(request, assessment_id)
    if (refused := _read_only(request)) is not None:
        return refused
    context = {"assessment": item, "vendor": item.vendor, "error": None,
               "question_groups": question_sections(item.questions)}  # fmt: skip
    if request.method != "POST":
        if item.status not in (VendorAssessmentStatus.IN_PROGRESS, VendorAssessmentStatus.SENT):
            messages.info(request, "This assessment already has its answers.")
            return _to_assessment(request, item)
        return _page(request, "vendors/answer.html", context)
    answers, uploads = answers_from_post(item.questions, request.POST, request.FILES)
    try:
        services.submit_answers(
            request.organization, _actor(request), item.pk, answers=answers, files=uploads
        )
    except DomainError as exc:
        context |= {"error": exc, "question_groups": question_sections(item.questions, answers)}
        return _page(request, "vendors/answer.html", context, exc.status)
    messages.success(request, "Answers recorded; the assessment awaits its review.")
    return _to_assessment(request, item)


@require_http_methods(["GET", "HEAD", "POST"])
def send(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Send the questionnaire to the vendor as a link that needs no account."""
    item = _assessment(request, assessment_id)
    if (refused := _read_only(request)) is not None:
        return refused
    title = f"Send the questionnaire to {item.vendor.name}"
    back = reverse("vendors:assessment", args=[request.organization.slug, item.pk])
    if request.method != "POST":
        form = SendForm(initial={"email": item.vendor.contact_email, "days": 14})
        return _form(request, form, title, item.vendor, back=back)
    form = SendForm(request.POST)
    if not form.is_valid():
        return _form(request, form, title, item.vendor, 400, back=back)
    try:
        item, raw = services.send_link(
            request.organization, _actor(request), item.pk, **form.cleaned_data
        )
    except DomainError as exc:
        return _form(request, form, title, item.vendor, add_domain_error(form, exc), back=back)
    url = mail.send_link(request, item, raw)
    messages.success(request, f"Sent to {item.sent_to}. The link (shown once): {url}")
    return _to_assessment(request, item)


@require_http_methods(["GET", "HEAD", "POST"])
def conclude(request: HttpRequest, assessment_id: int) -> HttpResponse:
    item = _assessment(request, assessment_id)
    if (refused := _read_only(request)) is not None:
        return refused
    title = f"Conclude the assessment of {item.vendor.name}"
    back = reverse("vendors:assessment", args=[request.organization.slug, item.pk])
    if request.method != "POST":
        return _form(request, ConclusionForm(), title, item.vendor, back=back)
    form = ConclusionForm(request.POST)
    if not form.is_valid():
        return _form(request, form, title, item.vendor, 400, back=back)
    try:
        services.conclude(request.organization, _actor(request), item.pk, **form.cleaned_data)
    except DomainError as exc:
        return _form(request, form, title, item.vendor, add_domain_error(form, exc), back=back)
    messages.success(request, "Assessment completed and recorded as evidence.")
    return _to_assessment(request, item)


def _to_assessment(request: HttpRequest, item: Assessment) -> HttpResponse:
    return redirect("vendors:assessment", org_slug=request.organization.slug, assessment_id=item.pk)


# -- questionnaires and cadence -------------------------------------------------------


@require_safe
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    context = {"questionnaires": sorted(questionnaires.catalog().values(), key=lambda q: q.title)}
    return _page(request, "vendors/questionnaires.html", context)


@require_safe
def questionnaire(request: HttpRequest, questionnaire_key: str) -> HttpResponse:
    found = questionnaires.catalog().get(questionnaire_key)
    if found is None:
        raise Http404("No such questionnaire")
    return _page(request, "vendors/questionnaire.html", {"questionnaire": found})


@require_http_methods(["GET", "HEAD", "POST"])
def cadence(request: HttpRequest) -> HttpResponse:
    """Months between assessments, per criticality."""
    if (refused := _read_only(request)) is not None:
        return refused
    title = "Review cadence"
    back = reverse("vendors:index", args=[request.organization.slug])
    if request.method != "POST":
        form = CadenceForm(initial=services.review_months(request.organization))
        return _form(request, form, title, back=back)
    form = CadenceForm(request.POST)
    if not form.is_valid():
        return _form(request, form, title, status=400, back=back)
    services.set_review_months(request.organization, _actor(request), **form.cleaned_data)
    messages.success(request, "Review cadence saved; it applies to the next conclusions.")
    return redirect("vendors:index", org_slug=request.organization.slug)
