"""The public side of the Trust Center, outside ``/o/<slug>/`` and without an account:
the page itself, the form to request the report, and the prospect's link (NDA, then
download).

An organisation whose page is off, and one that does not exist, both answer 404. The
organisation is found by its slug (organisations are not tenant rows); everything after
runs inside its scope. A link whose token does not match answers 404; a declined, expired
or used-up link answers 410 with a page saying why, and nothing is served. Request
submissions are rate-limited per client address (``TRUST_REQUEST_RATE_LIMIT`` per
``TRUST_REQUEST_RATE_WINDOW`` seconds). Pages are self-contained (no script, inline
styles only) and sent with a stricter policy than the rest of the site.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from zgovern.core import services as core_services
from zgovern.core.actor import Actor, client_ip
from zgovern.core.errors import DomainError
from zgovern.tenancy.scoping import organization_scope
from zgovern.trust import nda, queries, services
from zgovern.trust.models import RequestHit, TrustCenter

PUBLIC_CSP = "; ".join(
    [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src 'self' data:",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
NOT_FOUND = ("Page not found", "There is no public Trust Center at this address.")
BAD_LINK = ("This link is not valid", "Check that you copied the whole link from the email.")


def rate_limit() -> tuple[int, int]:
    return (
        getattr(settings, "TRUST_REQUEST_RATE_LIMIT", 5),
        getattr(settings, "TRUST_REQUEST_RATE_WINDOW", 3600),
    )


@require_safe
def page(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The organisation's public page: only what its admins chose to show."""
    center = queries.enabled_center(org_slug)
    if center is None:
        return _closed(request, 404, *NOT_FOUND)
    with organization_scope(center.organization):
        context = {"page": queries.public_page(center)}
        return _respond(render(request, "trust/public_page.html", context), private=False)


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def request_report(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The form a prospect fills in to ask for the report."""
    center = queries.enabled_center(org_slug)
    if center is None:
        return _closed(request, 404, *NOT_FOUND)
    if center.report_id is None:
        return _closed(request, 404, "No report to request",
                       "This organisation does not offer its audit report here yet.")  # fmt: skip
    if request.method != "POST":
        return _request_form(request, center)
    if _throttled(request):
        return _closed(request, 429, "Too many requests",
                       "Too many requests from your network. Try again later.")  # fmt: skip
    values = {k: request.POST.get(k, "") for k in ("name", "company", "email", "reason")}
    with organization_scope(center.organization):
        try:
            services.create_request(center.organization, _prospect(request, values["email"]),
                                    **values)  # fmt: skip
        except DomainError as exc:
            return _request_form(request, center, exc, values, status=exc.status)
    return _closed(request, 200, "Request received",
                   "Thank you. You will get an email when your request is decided.")  # fmt: skip


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    """The prospect's link: the NDA to accept, then the download button."""
    center = queries.enabled_center(org_slug)
    if center is None:
        return _closed(request, 404, *NOT_FOUND)
    org = center.organization
    with organization_scope(org):
        row = services.request_by_token(org, token)
        if row is None:
            return _closed(request, 404, *BAD_LINK)
        gone = services.gone_reason(row)
        if gone:
            return _closed(request, 410, "This link can no longer be used", gone)
        if request.method == "POST":
            return _accept(request, center, row, token)
        return _report_page(request, center, row, token)


def _accept(request, center: TrustCenter, row, token: str) -> HttpResponse:
    values = {"name": request.POST.get("name", ""), "company": request.POST.get("company", "")}
    if request.POST.get("accept") != "yes":
        error = DomainError("Tick the box to accept the NDA.", field="accept")
        return _report_page(request, center, row, token, error, values, status=400)
    actor = _prospect(request, row.email)
    try:
        row = services.accept_nda(center.organization, actor, row.pk, text=nda.text_for(center),
                                  **values)  # fmt: skip
    except DomainError as exc:
        if exc.status == 410:
            return _closed(request, 410, "This link can no longer be used", exc.message)
        return _report_page(request, center, row, token, exc, values, status=exc.status)
    return _report_page(request, center, row, token)


@never_cache
@require_safe
def download(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    """The report, watermarked for this prospect; counts one download."""
    center = queries.enabled_center(org_slug)
    if center is None:
        return _closed(request, 404, *NOT_FOUND)
    org = center.organization
    with organization_scope(org):
        row = services.request_by_token(org, token)
        if row is None:
            return _closed(request, 404, *BAD_LINK)
        try:
            data, name = services.download_report(org, _prospect(request, row.email), row.pk)
        except DomainError as exc:
            title = "This link can no longer be used" if exc.status == 410 else "Not yet"
            return _closed(request, exc.status, title, exc.message)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return _respond(response)


def _prospect(request: HttpRequest, email: str) -> Actor:
    agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    label = f"prospect {email}"[:254]
    return Actor(kind="anonymous", label=label, ip=client_ip(request), user_agent=agent)


def _throttled(request: HttpRequest) -> bool:
    limit, window = rate_limit()
    return not core_services.admit_hit(RequestHit, client_ip(request), limit, window)


def _request_form(request, center, error=None, values=None, status: int = 200) -> HttpResponse:
    context = {"org": center.organization, "error": error, "values": values or {}}
    return _respond(render(request, "trust/public_request.html", context, status=status))


def _report_page(request, center, row, token, error=None, values=None, status=200):
    context = {
        "org": center.organization, "row": row, "token": token, "error": error,
        "values": values or {"name": row.name, "company": row.company},
        "nda_html": nda.html_for(center),  # sanitised by policies.rendering
        "downloads_left": row.downloads_allowed - row.downloads_used,
    }  # fmt: skip
    return _respond(render(request, "trust/public_report.html", context, status=status))


def _closed(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    context = {"title": title, "message": message}
    return _respond(render(request, "trust/public_closed.html", context, status=status))


def _respond(response: HttpResponse, private: bool = True) -> HttpResponse:
    response["Content-Security-Policy"] = PUBLIC_CSP
    response["Referrer-Policy"] = "no-referrer"  # a link's token must not leak
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = "DENY"
    response["Cross-Origin-Opener-Policy"] = "same-origin"
    if private:
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response
