"""Pages of the request list and the exceptions: the audits with their request counts, an
audit's request list (filters, late badge), a request's page (answer, evidence, proposed
answers, the auditor's decision), the import page, and the exceptions with the response
form and the exports.

Reads need READ and writes WRITE (the tenancy middleware refuses a reader's POST with
403). Bad input shows the form again with the reason and the service's 4xx status.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zgovern.audits.models import Audit
from zgovern.controls.models import Control
from zgovern.core import pages
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError, NotFound
from zgovern.pbc import exports, importer, queries, services, suggest
from zgovern.pbc import validation as v
from zgovern.pbc.forms import (
    AnswerForm,
    DecisionForm,
    ExceptionForm,
    ImportForm,
    LinkForm,
    RequestFilterForm,
    RequestForm,
    ResponseForm,
    TargetForm,
    UploadForm,
    add_domain_error,
)
from zgovern.pbc.models import AuditException, AuditRequest

PAGE_SIZE = 50
# The request list lives under the audits in the navigation. Readers see its forms (the
# middleware refuses their POST), so refuse_read_only is not used here.
PAGES = pages.Pages(active="audits", readable="the request list")


def _org(request: HttpRequest):
    return request.organization


def _found(lookup: Callable, *args):
    """The object, or a 404 page (another organisation's id is not found either)."""
    try:
        return lookup(*args)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _audit(request: HttpRequest, audit_id: int) -> Audit:
    return _found(services.get_audit, _org(request), audit_id)


def _request(request: HttpRequest, request_id: int) -> AuditRequest:
    return _found(services.get_request, _org(request), request_id)


def _members(request: HttpRequest) -> list:
    return sorted(v.assignable_users(_org(request)).values(), key=lambda u: u.email)


# -- request list ---------------------------------------------------------------------


@require_safe
def audits(request: HttpRequest) -> HttpResponse:
    """Every audit with how many requests it has and how many are overdue."""
    rows = [
        (a, queries.counts(_org(request), a))
        for a in Audit.objects.filter(organization=_org(request))
    ]
    return PAGES.render(request, "pbc/audits.html", {"rows": rows})


@require_safe
def index(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = _audit(request, audit_id)
    members = [(u.pk, u.email) for u in _members(request)]
    form = RequestFilterForm(request.GET or None, members=members)
    filters = form.filters() if form.is_bound else {}
    rows = queries.requests(_org(request), audit, **filters)
    context = {
        "audit": audit,
        "form": form,
        "filtered": any(filters.values()),
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "counts": queries.counts(_org(request), audit),
        "target_hours": services.target_hours(audit),
        "target_form": TargetForm(initial={"target_hours": services.target_hours(audit)}),
    }
    return PAGES.render(request, "pbc/index.html", context, 400 if form.errors else 200)


@require_http_methods(pages.FORM_METHODS)
def add(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = _audit(request, audit_id)
    emails = [u.email for u in _members(request)]
    if request.method != "POST":
        return _form(request, audit, RequestForm(emails=emails))
    form = RequestForm(request.POST, emails=emails)
    if not form.is_valid():
        return _form(request, audit, form, status=400)
    try:
        req = services.create_request(
            _org(request), Actor.from_request(request), audit.pk, dict(form.cleaned_data)
        )
    except DomainError as exc:
        return _form(request, audit, form, status=add_domain_error(form, exc))
    messages.success(request, f"Request {req.reference} added.")
    return _to_request(request, req)


@require_http_methods(pages.FORM_METHODS)
def edit(request: HttpRequest, request_id: int) -> HttpResponse:
    req = _request(request, request_id)
    emails = [u.email for u in _members(request)]
    if request.method != "POST":
        initial = {
            "reference": req.reference,
            "title": req.title,
            "description": req.description,
            "criteria": ", ".join(req.criteria_refs),
            "due_date": req.due_date,
            "assignee_email": req.assignee.email if req.assignee else "",
            "origin": req.origin,
        }
        return _form(request, req.audit, RequestForm(initial=initial, emails=emails), req)
    form = RequestForm(request.POST, emails=emails)
    if not form.is_valid():
        return _form(request, req.audit, form, req, 400)
    try:
        services.update_request(
            _org(request), Actor.from_request(request), req.pk, dict(form.cleaned_data)
        )
    except DomainError as exc:
        return _form(request, req.audit, form, req, add_domain_error(form, exc))
    messages.success(request, "Changes saved.")
    return _to_request(request, req)


def _form(request, audit, form, req=None, status: int = 200) -> HttpResponse:
    return PAGES.render(
        request, "pbc/form.html", {"audit": audit, "form": form, "req": req}, status
    )


@require_POST
def target(request: HttpRequest, audit_id: int) -> HttpResponse:
    """Set the audit's response target; the list page shows the outcome."""
    audit = _audit(request, audit_id)
    form = TargetForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("; ".join(e for errs in form.errors.values() for e in errs))
        services.set_target_hours(
            _org(request), Actor.from_request(request), audit.pk, form.cleaned_data["target_hours"]
        )
    except DomainError as exc:
        messages.error(request, f"Response target not changed: {exc.message}")
    else:
        messages.success(request, "Response target saved.")
    return redirect("pbc:index", org_slug=_org(request).slug, audit_id=audit.pk)


@require_http_methods(pages.FORM_METHODS)
def import_requests(request: HttpRequest, audit_id: int) -> HttpResponse:
    """The upload page documents the columns; a bad file answers 400 with every problem."""
    audit = _audit(request, audit_id)
    context = {
        "audit": audit,
        "columns": importer.COLUMNS,
        "problems": None,
        "report": None,
        "max_bytes": settings.ROSTER_MAX_BYTES,
        "max_rows": settings.ROSTER_MAX_ROWS,
    }
    posted = request.method == "POST"
    form = ImportForm(request.POST, request.FILES) if posted else ImportForm()

    def run(form: ImportForm) -> object:
        upload = form.cleaned_data["file"]
        # One byte past the limit at most: a larger file is refused by size unread.
        upload.seek(0)
        data = upload.read(settings.ROSTER_MAX_BYTES + 1)
        return services.import_requests(
            _org(request), Actor.from_request(request), audit.pk, upload.name, data
        )

    return PAGES.upload(
        request, "pbc/import.html", context, form, run, importer.ImportError_, add_domain_error
    )


# -- one request ----------------------------------------------------------------------


@require_safe
def detail(request: HttpRequest, request_id: int) -> HttpResponse:
    return _detail(request, _request(request, request_id))


def _detail(request, req: AuditRequest, status: int = 200, **forms) -> HttpResponse:
    links = req.links.select_related("evidence", "linked_by").order_by("linked_at", "id")
    context = {
        "req": req,
        "audit": req.audit,
        "links": list(links),
        "suggestions": suggest.suggest(_org(request), req),
        "answer_form": forms.get("answer_form") or AnswerForm(initial={"answer": req.answer}),
        "link_form": forms.get("link_form") or LinkForm(),
        "upload_form": forms.get("upload_form") or UploadForm(),
        "decision_form": forms.get("decision_form") or DecisionForm(),
    }
    return PAGES.render(request, "pbc/detail.html", context, status)


def _act(request, req: AuditRequest, form_name: str, form, action: Callable, note: str):
    """Run ``action`` for a valid form; else show the request page with the form's errors."""

    def show(form, status: int) -> HttpResponse:
        return _detail(request, req, status, **{form_name: form})

    def save(form) -> HttpResponse:
        action(form.cleaned_data)
        messages.success(request, note)
        return _to_request(request, req)

    return pages.form_flow(request, form, show, save, add_domain_error)


@require_POST
def answer(request: HttpRequest, request_id: int) -> HttpResponse:
    req, actor = _request(request, request_id), Actor.from_request(request)
    return _act(
        request,
        req,
        "answer_form",
        AnswerForm(request.POST),
        lambda d: services.answer_request(_org(request), actor, req.pk, d["answer"]),
        "Answer recorded.",
    )


@require_POST
def link(request: HttpRequest, request_id: int) -> HttpResponse:
    req, actor = _request(request, request_id), Actor.from_request(request)
    via = "suggestion" if request.POST.get("via") == "suggestion" else "library"
    return _act(
        request,
        req,
        "link_form",
        LinkForm(request.POST),
        lambda d: services.link_evidence(_org(request), actor, req.pk, d["evidence_id"], via),
        "Evidence linked.",
    )


@require_POST
def unlink(request: HttpRequest, request_id: int) -> HttpResponse:
    req, actor = _request(request, request_id), Actor.from_request(request)
    return _act(
        request,
        req,
        "link_form",
        LinkForm(request.POST),
        lambda d: services.unlink_evidence(_org(request), actor, req.pk, d["evidence_id"]),
        "Evidence unlinked.",
    )


@require_POST
def upload(request: HttpRequest, request_id: int) -> HttpResponse:
    req, actor = _request(request, request_id), Actor.from_request(request)
    return _act(
        request,
        req,
        "upload_form",
        UploadForm(request.POST, request.FILES),
        lambda d: services.upload_evidence(_org(request), actor, req.pk, d["file"], d["title"]),
        "File stored as evidence and linked.",
    )


@require_POST
def start(request: HttpRequest, request_id: int) -> HttpResponse:
    req = _request(request, request_id)
    try:
        services.start_work(_org(request), Actor.from_request(request), req.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _detail(request, req, exc.status)
    messages.success(request, "Marked in progress.")
    return _to_request(request, req)


@require_POST
def decide(request: HttpRequest, request_id: int) -> HttpResponse:
    req, actor = _request(request, request_id), Actor.from_request(request)
    return _act(
        request,
        req,
        "decision_form",
        DecisionForm(request.POST),
        lambda d: services.decide_request(
            _org(request), actor, req.pk, d["decision"] == "accept", d["note"]
        ),
        "Decision recorded.",
    )


def _to_request(request: HttpRequest, req: AuditRequest) -> HttpResponse:
    return redirect("pbc:detail", org_slug=_org(request).slug, request_id=req.pk)


# -- exceptions -----------------------------------------------------------------------


def _controls(request) -> list[tuple[str, str]]:
    rows = Control.objects.filter(organization=_org(request)).order_by("key")
    return [(key, f"{key} — {name}") for key, name in rows.values_list("key", "name")]


@require_http_methods(pages.FORM_METHODS)
def exceptions(request: HttpRequest, audit_id: int) -> HttpResponse:
    """The audit's exceptions and the form that records one."""
    audit = _audit(request, audit_id)
    form = ExceptionForm(
        request.POST if request.method == "POST" else None, controls=_controls(request)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                exc = services.record_exception(
                    _org(request), Actor.from_request(request), audit.pk, form.cleaned_data
                )
            except DomainError as error:
                status = add_domain_error(form, error)
            else:
                messages.success(request, "Exception recorded.")
                return _to_exception(request, exc)
        else:
            status = 400
    rows = list(queries.exceptions(_org(request), audit))
    return PAGES.render(
        request, "pbc/exceptions.html", {"audit": audit, "rows": rows, "form": form}, status
    )


@require_safe
def export(request: HttpRequest, audit_id: int) -> HttpResponse:
    """All exceptions with responses as ?format=csv (default), xlsx or pdf."""
    audit = _audit(request, audit_id)
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        return HttpResponse(
            "Unknown format: use csv, xlsx or pdf.", status=400, content_type="text/plain"
        )
    return exports.render(_org(request), audit, fmt)


@require_http_methods(pages.FORM_METHODS)
def exception(request: HttpRequest, exception_id: int) -> HttpResponse:
    """One exception and management's response form."""
    exc = _found(services.get_exception, _org(request), exception_id)
    if request.method != "POST":
        initial = {
            "kind": exc.response_kind,
            "text": exc.response_text,
            "responded_on": exc.responded_on,
            "remediated_on": exc.remediated_on,
            "evidence_ids": " ".join(map(str, queries.evidence_ids(exc))),
        }
        return _exception(request, exc, ResponseForm(initial=initial))
    form = ResponseForm(request.POST)
    if not form.is_valid():
        return _exception(request, exc, form, 400)
    try:
        services.respond(_org(request), Actor.from_request(request), exc.pk, form.cleaned_data)
    except DomainError as error:
        return _exception(request, exc, form, add_domain_error(form, error))
    messages.success(request, "Response saved.")
    return _to_exception(request, exc)


def _exception(request, exc: AuditException, form, status: int = 200) -> HttpResponse:
    context = {
        "exc": exc,
        "audit": exc.audit,
        "form": form,
        "evidence_ids": queries.evidence_ids(exc),
    }
    return PAGES.render(request, "pbc/exception.html", context, status)


def _to_exception(request: HttpRequest, exc: AuditException) -> HttpResponse:
    return redirect("pbc:exception", org_slug=_org(request).slug, exception_id=exc.pk)
