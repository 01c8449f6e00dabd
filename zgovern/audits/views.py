"""Audit pages: engagements, their bundles (requested here, built by the worker, progress
polled, downloaded when ready) and the signing key.

Reads need READ and writes WRITE (enforced by the tenancy middleware); rotating the key
needs MANAGE_SETTINGS. Every bundle download is recorded in the activity log.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zgovern.audits import services, signing
from zgovern.audits.forms import AuditForm, add_domain_error, audit_initial
from zgovern.audits.models import Audit, Bundle
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.tenancy import roles
from zgovern.tenancy.middleware import requires


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {"active": "audits", "can_write": request.membership.can(roles.WRITE), **context}
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


def _bundle(request: HttpRequest, bundle_id: int) -> Bundle:
    bundle = Bundle.objects.filter(organization=request.organization, pk=bundle_id).first()
    if bundle is None:
        raise Http404("No such bundle")
    return bundle


def _read_only(request: HttpRequest) -> HttpResponse | None:
    if request.membership.can(roles.WRITE):
        return None
    messages.info(request, f"Your role ({request.membership.role}) can read audits only.")
    return redirect("audits:index", org_slug=request.organization.slug)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    audits = Audit.objects.filter(organization=request.organization).select_related("framework")
    rows = [(audit, services.warnings(audit)) for audit in audits]
    key = signing.active_key(request.organization)
    return _page(request, "audits/index.html", {"rows": rows, "key": key})


@require_http_methods(["GET", "HEAD", "POST"])
def add(request: HttpRequest) -> HttpResponse:
    if (refused := _read_only(request)) is not None:
        return refused
    org = request.organization
    form = AuditForm(request.POST or None, org=org)
    if request.method != "POST":
        return _page(request, "audits/form.html", {"form": form, "audit": None})
    if not form.is_valid():
        return _page(request, "audits/form.html", {"form": form, "audit": None}, 400)
    try:
        audit = services.create_audit(
            org, Actor.from_request(request), form.data_for_service(False)
        )
    except DomainError as exc:
        status = add_domain_error(form, exc)
        return _page(request, "audits/form.html", {"form": form, "audit": None}, status)
    messages.success(request, "Audit created.")
    return redirect("audits:detail", org_slug=org.slug, audit_id=audit.pk)


@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = _audit(request, audit_id)
    if (refused := _read_only(request)) is not None:
        return refused
    org = request.organization
    if request.method != "POST":
        form = AuditForm(initial=audit_initial(audit), org=org)
        return _page(request, "audits/form.html", {"form": form, "audit": audit})
    form = AuditForm(request.POST, org=org)
    form.fields["framework"].required = False
    if not form.is_valid():
        return _page(request, "audits/form.html", {"form": form, "audit": audit}, 400)
    try:
        services.update_audit(
            org, Actor.from_request(request), audit.pk, form.data_for_service(True)
        )
    except DomainError as exc:
        status = add_domain_error(form, exc)
        return _page(request, "audits/form.html", {"form": form, "audit": audit}, status)
    messages.success(request, "Changes saved.")
    return redirect("audits:detail", org_slug=org.slug, audit_id=audit.pk)


@require_safe
def detail(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = _audit(request, audit_id)
    bundles = Bundle.objects.filter(organization=request.organization, audit=audit)[:20]
    context = {"audit": audit, "warnings": services.warnings(audit), "bundles": bundles}
    return _page(request, "audits/detail.html", context)


@require_POST
def export(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = _audit(request, audit_id)
    try:
        services.request_bundle(request.organization, Actor.from_request(request), audit.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("audits:detail", org_slug=request.organization.slug, audit_id=audit.pk)
    messages.success(request, "The bundle is being built; this page shows its progress.")
    return redirect("audits:detail", org_slug=request.organization.slug, audit_id=audit.pk)


@require_safe
def bundle_status(request: HttpRequest, bundle_id: int) -> HttpResponse:
    """The bundle's row, polled by the audit page while it builds."""
    return _page(request, "audits/_bundle.html", {"bundle": _bundle(request, bundle_id)})


@require_safe
def download(request: HttpRequest, bundle_id: int) -> HttpResponse:
    try:
        bundle = services.download_bundle(
            request.organization, Actor.from_request(request), bundle_id
        )
    except DomainError as exc:
        if exc.status == 404:
            raise Http404("No such bundle") from None
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    name = f"audit-{bundle.audit_id}-bundle-{bundle.pk}.zip"
    handle = services.bundle_path(bundle).open("rb")
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/zip")


@requires(write=roles.MANAGE_SETTINGS)
@require_http_methods(["GET", "HEAD", "POST"])
def signing_key(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        key = services.rotate_key(request.organization, Actor.from_request(request))
        messages.success(request, f"New signing key {key.fingerprint}.")
        return redirect("audits:signing_key", org_slug=request.organization.slug)
    key = signing.active_key(request.organization)
    context = {
        "key": key,
        "pem": signing.public_pem(key),
        "can_rotate": request.membership.can(roles.MANAGE_SETTINGS),
    }
    return _page(request, "audits/signing_key.html", context)
