"""Vendor pages: the inventory (filtered, sorted, 50 a page, CSV/XLSX export), a vendor's
page with its documents and assessments, the forms that add and change them, the review of
an assessment, the questionnaire templates and the review cadence.

Access, refusals and bad input (with the service's 4xx status) follow ``zgovern.core.pages``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from zgovern.core import pages
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
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
PAGES = pages.Pages(active="vendors", readable="vendors")


def _vendor(request: HttpRequest, vendor_id: int) -> Vendor:
    return pages.found(queries.vendor(request.organization, vendor_id), "vendor")


def _assessment(request: HttpRequest, assessment_id: int) -> Assessment:
    return pages.found(queries.assessment(request.organization, assessment_id), "assessment")


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
    return PAGES.render(request, "vendors/index.html", context, 400 if form.errors else 200)


@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, exports.csv_download)


@require_safe
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, exports.xlsx_download)


def _export(request: HttpRequest, build) -> HttpResponse:
    form, filters = _filtered(request)
    if form.errors:
        return PAGES.render(
            request, "vendors/index.html", {"form": form, "page": None, "rows": []}, 400
        )
    return build(queries.vendors(request.organization, **filters), request.organization.slug)


@require_http_methods(pages.FORM_METHODS)
def snapshot(request: HttpRequest) -> HttpResponse:
    """Record today's inventory as evidence (linked to the vendor-inventory control)."""
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    if request.method == "POST":
        item = services.snapshot_inventory(request.organization, _actor(request))
        note = f"The inventory was recorded as evidence #{item.pk}."
        return pages.done(request, "vendors:index", note)
    return PAGES.render(request, "vendors/snapshot.html", {})


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
    return PAGES.render(request, "vendors/detail.html", context)


@require_http_methods(pages.FORM_METHODS)
def add(request: HttpRequest) -> HttpResponse:
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    form = VendorForm(request.POST) if request.method == "POST" else VendorForm()

    def save(form: VendorForm) -> HttpResponse:
        vendor = services.create_vendor(request.organization, _actor(request), **form.cleaned_data)
        return _done(request, vendor, f"{vendor.name} added to the inventory.")

    return pages.form_flow(request, form, _shown(request, "Add a vendor"), save, add_domain_error)


@require_http_methods(pages.FORM_METHODS)
def edit(request: HttpRequest, vendor_id: int) -> HttpResponse:
    vendor = _vendor(request, vendor_id)
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    posted = request.method == "POST"
    form = VendorForm(request.POST) if posted else VendorForm(initial=vendor_initial(vendor))

    def save(form: VendorForm) -> HttpResponse:
        services.update_vendor(
            request.organization, _actor(request), vendor.pk, **form.cleaned_data
        )
        return _done(request, vendor, "Changes saved.")

    show = _shown(request, f"Edit {vendor.name}", vendor)
    return pages.form_flow(request, form, show, save, add_domain_error)


@require_http_methods(pages.FORM_METHODS)
def add_document(request: HttpRequest, vendor_id: int) -> HttpResponse:
    vendor = _vendor(request, vendor_id)
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    posted = request.method == "POST"
    form = DocumentForm(request.POST, request.FILES) if posted else DocumentForm()

    def save(form: DocumentForm) -> HttpResponse:
        data = dict(form.cleaned_data)
        upload = data.pop("file")
        services.add_document(
            request.organization, _actor(request), vendor.pk, uploaded_file=upload, **data
        )
        return _done(request, vendor, "Document added.")

    title = f"Add a compliance document of {vendor.name}"
    show = _shown(request, title, vendor, multipart=True)
    return pages.form_flow(request, form, show, save, add_domain_error)


def _shown(
    request: HttpRequest,
    title: str,
    vendor: Vendor | None = None,
    *,
    multipart: bool = False,
    back: str = "",
) -> pages.Show:
    """How form_flow shows the form titled ``title`` (about ``vendor``, if any) with a
    status; ``back`` is where its cancel link goes (empty: the template's default)."""

    def show(form, status: int) -> HttpResponse:
        context = {"form": form, "title": title, "vendor": vendor, "multipart": multipart,
                   "action": request.path, "back": back}  # fmt: skip
        return PAGES.render(request, "vendors/form.html", context, status)

    return show


def _done(request: HttpRequest, vendor: Vendor, note: str) -> HttpResponse:
    return pages.done(request, "vendors:detail", note, vendor_id=vendor.pk)


# -- assessments ----------------------------------------------------------------------


@require_http_methods(pages.FORM_METHODS)
def start_assessment(request: HttpRequest, vendor_id: int) -> HttpResponse:
    vendor = _vendor(request, vendor_id)
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    form = StartForm(request.POST) if request.method == "POST" else StartForm()

    def save(form: StartForm) -> HttpResponse:
        assessment = services.start_assessment(
            request.organization, _actor(request), vendor.pk, **form.cleaned_data
        )
        note = "Assessment started: fill it in here or send it to the vendor."
        return _to_assessment(request, assessment, note)

    show = _shown(request, f"Assess {vendor.name}", vendor)
    return pages.form_flow(request, form, show, save, add_domain_error)


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
    return PAGES.render(request, "vendors/assessment.html", context)


@require_http_methods(pages.FORM_METHODS)
def answer(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Fill in the questionnaire internally (with optional attachments)."""
    item = _assessment(request, assessment_id)
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    context = {"assessment": item, "vendor": item.vendor, "error": None,
               "question_groups": question_sections(item.questions)}  # fmt: skip
    if request.method != "POST":
        if item.status not in (VendorAssessmentStatus.IN_PROGRESS, VendorAssessmentStatus.SENT):
            messages.info(request, "This assessment already has its answers.")
            return _to_assessment(request, item)
        return PAGES.render(request, "vendors/answer.html", context)
    answers, uploads = answers_from_post(item.questions, request.POST, request.FILES)
    try:
        services.submit_answers(
            request.organization, _actor(request), item.pk, answers=answers, files=uploads
        )
    except DomainError as exc:
        context |= {"error": exc, "question_groups": question_sections(item.questions, answers)}
        return PAGES.render(request, "vendors/answer.html", context, exc.status)
    return _to_assessment(request, item, "Answers recorded; the assessment awaits its review.")


@require_http_methods(pages.FORM_METHODS)
def send(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Send the questionnaire to the vendor as a link that needs no account."""
    item = _assessment(request, assessment_id)
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    if request.method == "POST":
        form = SendForm(request.POST)
    else:
        form = SendForm(initial={"email": item.vendor.contact_email, "days": 14})

    def save(form: SendForm) -> HttpResponse:
        sent, raw = services.send_link(
            request.organization, _actor(request), item.pk, **form.cleaned_data
        )
        url = mail.send_link(request, sent, raw)
        return _to_assessment(
            request, sent, f"Sent to {sent.sent_to}. The link (shown once): {url}"
        )

    title = f"Send the questionnaire to {item.vendor.name}"
    return pages.form_flow(request, form, _shown_for(request, title, item), save, add_domain_error)


@require_http_methods(pages.FORM_METHODS)
def conclude(request: HttpRequest, assessment_id: int) -> HttpResponse:
    item = _assessment(request, assessment_id)
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    form = ConclusionForm(request.POST) if request.method == "POST" else ConclusionForm()

    def save(form: ConclusionForm) -> HttpResponse:
        services.conclude(request.organization, _actor(request), item.pk, **form.cleaned_data)
        return _to_assessment(request, item, "Assessment completed and recorded as evidence.")

    title = f"Conclude the assessment of {item.vendor.name}"
    return pages.form_flow(request, form, _shown_for(request, title, item), save, add_domain_error)


def _shown_for(request: HttpRequest, title: str, item: Assessment) -> pages.Show:
    """``_shown`` for a form about an assessment, whose cancel link goes back to it."""
    back = reverse("vendors:assessment", args=[request.organization.slug, item.pk])
    return _shown(request, title, item.vendor, back=back)


def _to_assessment(request: HttpRequest, item: Assessment, note: str = "") -> HttpResponse:
    return pages.done(request, "vendors:assessment", note, assessment_id=item.pk)


# -- questionnaires and cadence -------------------------------------------------------


@require_safe
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    context = {"questionnaires": sorted(questionnaires.catalog().values(), key=lambda q: q.title)}
    return PAGES.render(request, "vendors/questionnaires.html", context)


@require_safe
def questionnaire(request: HttpRequest, questionnaire_key: str) -> HttpResponse:
    found = questionnaires.catalog().get(questionnaire_key)
    if found is None:
        raise Http404("No such questionnaire")
    return PAGES.render(request, "vendors/questionnaire.html", {"questionnaire": found})


@require_http_methods(pages.FORM_METHODS)
def cadence(request: HttpRequest) -> HttpResponse:
    """Months between assessments, per criticality."""
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    show = _shown(
        request, "Review cadence", back=reverse("vendors:index", args=[request.organization.slug])
    )
    if request.method != "POST":
        return show(CadenceForm(initial=services.review_months(request.organization)), 200)
    form = CadenceForm(request.POST)
    if not form.is_valid():
        return show(form, 400)
    services.set_review_months(request.organization, _actor(request), **form.cleaned_data)
    note = "Review cadence saved; it applies to the next conclusions."
    return pages.done(request, "vendors:index", note)
