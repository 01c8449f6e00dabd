"""Fieldwork pages: the auditor's workspace of one audit (controls in scope and their
evidence in the period), populations and samples, comments, auditor access, and the
organisation's record of what auditors opened.

Reads need READ. Samples and comments are the auditor's working papers: a member who may
write adds them, and so does an auditor invited to this very audit (the routes accept READ
for writes and the view checks that grant); managing auditors' access needs
MANAGE_MEMBERS. A limited auditor reaches these pages only for their open grants (see
:mod:`zgovern.fieldwork.access`).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zgovern.audits.models import Audit
from zgovern.core import exports
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.fieldwork import access, populations, scope, services, tables
from zgovern.fieldwork.forms import (
    AccessLogFilter,
    CommentForm,
    GrantForm,
    SampleForm,
    add_domain_error,
)
from zgovern.fieldwork.models import AuditorGrant, Comment, PopulationKind, Sample
from zgovern.tenancy import roles
from zgovern.tenancy.middleware import requires
from zgovern.tenancy.models import ActivityLog

LOG_PAGE = 100


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {
        "active": "audits",
        "can_write": request.membership.can(roles.WRITE),
        "can_manage": request.membership.can(roles.MANAGE_MEMBERS),
        **context,
    }
    return render(request, template, context, status=status)


def _audit(request: HttpRequest, audit_id: int) -> Audit:
    audit = (
        Audit.objects.filter(organization=request.organization, pk=audit_id)
        .select_related("framework")
        .first()
    )
    if audit is None:
        raise Http404("No such audit")
    return audit


def _may_work(request: HttpRequest, audit: Audit) -> HttpResponse | None:
    if access.may_work_on(request, audit.pk):
        return None
    return HttpResponse(
        f"Your role ({request.membership.role}) is read-only here; only members and the "
        "auditors invited to this audit add samples and comments.",
        status=403,
        content_type="text/plain",
    )


def _comments(request: HttpRequest, audit: Audit, kind: str, target_id: int) -> dict:
    rows = Comment.objects.filter(
        organization=request.organization, audit=audit, target_kind=kind, target_id=target_id
    )
    form = CommentForm(initial={"target_kind": kind, "target_id": target_id})
    return {
        "comments": list(rows),
        "comment_form": form,
        "may_work": access.may_work_on(request, audit.pk),
    }


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The audits the caller may open: a limited auditor's grants, else every audit."""
    org = request.organization
    grants = access.limited_grants(request)
    audits = Audit.objects.filter(organization=org).select_related("framework")
    if grants is not None:
        audits = audits.filter(pk__in=[*grants.active, *grants.ended])
    rows = [
        (
            a,
            grants.active.get(a.pk) if grants else None,
            grants.ended.get(a.pk) if grants and a.pk not in grants.active else None,
        )
        for a in audits
    ]
    if grants is not None and not grants.active:
        message = "Your access to this organisation's audits has ended; ask it to extend it."
        return render(request, "fieldwork/ended.html", {"message": message}, status=403)
    return _page(request, "fieldwork/index.html", {"rows": rows, "limited": grants is not None})


@require_safe
def workspace(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = _audit(request, audit_id)
    org = request.organization
    counts = {}
    if audit.has_period:
        start, end = services.period(audit)
        counts = {
            kind: len(populations.population(org, kind, start, end).items)
            for kind in PopulationKind.values
        }
    context = {
        "audit": audit,
        "period": services.period(audit) if audit.has_period else None,
        "controls": scope.controls(org, audit),
        "populations": [(k, label, counts.get(k)) for k, label in PopulationKind.choices],
        "samples": Sample.objects.filter(organization=org, audit=audit),
        "grants": AuditorGrant.objects.filter(organization=org, audit=audit)
        if request.membership.can(roles.MANAGE_MEMBERS)
        else [],
    }
    return _page(request, "fieldwork/workspace.html", context)


def _limited(request: HttpRequest) -> bool:
    return access.limited_grants(request) is not None


@require_safe
def control(request: HttpRequest, audit_id: int, control_id: int) -> HttpResponse:
    """A control with its evidence in the period. A limited auditor finds only the
    audit's controls; a member may open any control here, marked when out of scope."""
    org = request.organization
    audit = _audit(request, audit_id)
    found = scope.control(org, audit, control_id)
    in_scope = found is not None
    if found is None and not _limited(request):
        found = scope.any_control(org, control_id)
    if found is None:
        raise Http404("No such control in this audit")
    context = {
        "audit": audit,
        "row": scope.controls(org, audit, only=[found])[0],
        "in_scope": in_scope,
        "evidence": scope.control_evidence(org, audit, found),
        **_comments(request, audit, "control", found.pk),
    }
    return _page(request, "fieldwork/control.html", context)


def _evidence(request: HttpRequest, audit: Audit, evidence_id: int):
    """The item and whether it is the audit's; a limited auditor finds only the audit's."""
    item = scope.evidence_item(request.organization, audit, evidence_id)
    if item is not None:
        return item, True
    if not _limited(request):
        item = scope.any_evidence(request.organization, evidence_id)
    if item is None:
        raise Http404("No such evidence in this audit")
    return item, False


@require_safe
def evidence(request: HttpRequest, audit_id: int, evidence_id: int) -> HttpResponse:
    audit = _audit(request, audit_id)
    item, in_scope = _evidence(request, audit, evidence_id)
    record = json.dumps(item.record, indent=2, sort_keys=True) if item.record is not None else ""
    context = {
        "audit": audit,
        "item": item,
        "in_scope": in_scope,
        "record": record,
        "controls": scope.evidence_controls(request.organization, audit, item),
        **_comments(request, audit, "evidence", item.pk),
    }
    return _page(request, "fieldwork/evidence.html", context)


@require_safe
def evidence_file(request: HttpRequest, audit_id: int, evidence_id: int) -> HttpResponse:
    """The item's file (or a record's JSON) as an attachment."""
    from zgovern.evidence.views import blob_response

    audit = _audit(request, audit_id)
    item, _ = _evidence(request, audit, evidence_id)
    if item.file_name:
        return blob_response(item)
    if item.record is not None:
        data = json.dumps(item.record, indent=2, sort_keys=True).encode()
        return exports.download(data, f"evidence-{item.pk}.json", "application/json")
    data = f"{item.link_url}\n".encode()
    return exports.download(data, f"evidence-{item.pk}.url.txt", "text/plain")


@requires(write=roles.READ)
@require_http_methods(["GET", "HEAD", "POST"])
def population(request: HttpRequest, audit_id: int, population: str) -> HttpResponse:
    """The population of the period (``?format=csv|xlsx`` exports it); a POST draws a
    sample from it."""
    audit = _audit(request, audit_id)
    if population not in PopulationKind.values:
        raise Http404("No such population")
    if not audit.has_period:
        messages.error(request, "The audit has no period yet; set its dates first.")
        return redirect(
            "fieldwork:workspace", org_slug=request.organization.slug, audit_id=audit.pk
        )
    start, end = services.period(audit)
    listed = populations.population(request.organization, population, start, end)
    if request.method == "POST":
        return _draw(request, audit, listed)
    export = _export(
        request,
        f"audit-{audit.pk}-{population}",
        listed.title,
        listed.header,
        tables.population_rows(listed),
    )
    if export is not None:
        return export
    form = SampleForm(keys=listed.item_keys())
    return _population_page(request, audit, listed, form, (start, end))


def _population_page(request, audit, listed, form, period, status: int = 200) -> HttpResponse:
    context = {
        "audit": audit,
        "listed": listed,
        "form": form,
        "period": period,
        "may_work": access.may_work_on(request, audit.pk),
        "samples": Sample.objects.filter(
            organization=request.organization, audit=audit, population=listed.kind
        ),
    }
    return _page(request, "fieldwork/population.html", context, status)


def _draw(request: HttpRequest, audit: Audit, listed) -> HttpResponse:
    if (refused := _may_work(request, audit)) is not None:
        return refused
    form = SampleForm(request.POST, keys=listed.item_keys())
    period = services.period(audit)
    if not form.is_valid():
        return _population_page(request, audit, listed, form, period, 400)
    try:
        sample = services.create_sample(
            request.organization,
            Actor.from_request(request),
            audit.pk,
            population=listed.kind,
            **form.for_service(),
        )
    except DomainError as exc:
        status = add_domain_error(form, exc)
        return _population_page(request, audit, listed, form, period, status)
    messages.success(request, f"Sample of {sample.size} drawn (seed {sample.seed}).")
    return redirect(
        "fieldwork:sample",
        org_slug=request.organization.slug,
        audit_id=audit.pk,
        sample_id=sample.pk,
    )


def _export(request, stem: str, title: str, header, rows) -> HttpResponse | None:
    kind = request.GET.get("format", "")
    if kind == "csv":
        return exports.download(exports.csv_bytes(header, rows), f"{stem}.csv", "text/csv")
    if kind == "xlsx":
        data = exports.xlsx_bytes({title: (header, rows)})
        return exports.download(data, f"{stem}.xlsx", exports.XLSX_TYPE)
    return None


@require_safe
def sample(request: HttpRequest, audit_id: int, sample_id: int) -> HttpResponse:
    audit = _audit(request, audit_id)
    found = Sample.objects.filter(organization=request.organization, audit=audit, pk=sample_id)
    found = found.first()
    if found is None:
        raise Http404("No such sample in this audit")
    export = _export(
        request,
        f"audit-{audit.pk}-sample-{found.pk}",
        "Sample",
        tables.SAMPLE_HEADER,
        tables.sample_rows(request.organization, found),
    )
    if export is not None:
        return export
    context = {
        "audit": audit,
        "sample": found,
        "items": populations.evidence(request.organization, found.population, found.chosen_keys),
        **_comments(request, audit, "sample", found.pk),
    }
    return _page(request, "fieldwork/sample.html", context)


@requires(write=roles.READ)
@require_POST
def comment(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = _audit(request, audit_id)
    if (refused := _may_work(request, audit)) is not None:
        return refused
    form = CommentForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        return HttpResponse(
            f"The comment was not saved: {errors}", status=400, content_type="text/plain"
        )
    data = form.cleaned_data
    try:
        services.add_comment(
            request.organization,
            Actor.from_request(request),
            audit.pk,
            target_kind=data["target_kind"],
            target_id=data["target_id"],
            body=data["body"],
        )
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    messages.success(request, "Comment added.")
    url = scope.target_url(request.organization, audit, data["target_kind"], data["target_id"])
    return redirect(url)


@requires(write=roles.MANAGE_MEMBERS)
@require_http_methods(["GET", "HEAD", "POST"])
def grants(request: HttpRequest, audit_id: int) -> HttpResponse:
    """The auditors invited to this audit; a POST invites one."""
    audit = _audit(request, audit_id)
    form = GrantForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                grant = services.invite_auditor(
                    request.organization,
                    request.membership,
                    Actor.from_request(request),
                    audit.pk,
                    **form.cleaned_data,
                )
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    f"{grant.email} may open this audit until "
                    f"{grant.expires_at:%Y-%m-%d %H:%M} UTC.",
                )
                return redirect(
                    "fieldwork:grants", org_slug=request.organization.slug, audit_id=audit.pk
                )
        else:
            status = 400
    rows = AuditorGrant.objects.filter(organization=request.organization, audit=audit)
    context = {"audit": audit, "form": form, "grants": rows}
    return _page(request, "fieldwork/grants.html", context, status)


@requires(write=roles.MANAGE_MEMBERS)
@require_POST
def revoke_grant(request: HttpRequest, audit_id: int, grant_id: int) -> HttpResponse:
    audit = _audit(request, audit_id)
    try:
        services.revoke_grant(
            request.organization,
            request.membership,
            Actor.from_request(request),
            audit.pk,
            grant_id,
        )
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
    else:
        messages.success(request, "Access revoked.")
    return redirect("fieldwork:grants", org_slug=request.organization.slug, audit_id=audit.pk)


@require_safe
def access_log(request: HttpRequest) -> HttpResponse:
    """What auditors opened, newest first, by auditor and audit."""
    org = request.organization
    form = AccessLogFilter(request.GET or None)
    rows = access_rows(org, **(form.cleaned_data if form.is_valid() else {}))
    page = Paginator(rows, LOG_PAGE).get_page(request.GET.get("page"))
    invited = AuditorGrant.objects.filter(organization=org, user__isnull=False)
    auditors = sorted(set(invited.values_list("user_id", "user__email")), key=lambda a: a[1])
    context = {
        "form": form,
        "page": page,
        "auditors": auditors,
        "audits": Audit.objects.filter(organization=org),
    }
    return _page(request, "fieldwork/access_log.html", context, 400 if form.errors else 200)


def access_rows(org, auditor: int | None = None, audit: int | None = None):
    rows = ActivityLog.objects.filter(organization=org, action="auditor.viewed")
    if auditor:
        rows = rows.filter(actor_id=auditor)
    if audit:
        rows = rows.filter(target_type="audits.audit", target_id=str(audit))
    return rows.select_related("actor").order_by("-seq")
