"""The vendor's assessment link: a page outside ``/o/<slug>/`` that needs no account.

The token in the URL is looked up by its SHA-256 (only the hash is stored), in whichever
organisation issued it: the token is what tells us the organisation, so this one read
cannot be scoped in advance; everything after it runs inside that organisation's scope.
An unknown or malformed token answers 404; an expired link, or one whose answers were
already submitted, answers 410 with a page saying so, and nothing is saved. Requests are
rate-limited per client address (``VENDOR_LINK_RATE_LIMIT`` per
``VENDOR_LINK_RATE_WINDOW`` seconds), counting every request, found or not.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods
from django_scopes import scopes_disabled

from zgovern.core import services as core_services
from zgovern.core.actor import Actor, client_ip
from zgovern.core.errors import DomainError
from zgovern.core.tokens import digest
from zgovern.tenancy.scoping import organization_scope
from zgovern.vendors import services
from zgovern.vendors.forms import answers_from_post, question_sections
from zgovern.vendors.models import Assessment, LinkHit, VendorAssessmentStatus

_TOKEN = re.compile(r"va_[A-Za-z0-9_-]{20,100}")


def rate_limit() -> tuple[int, int]:
    return (
        getattr(settings, "VENDOR_LINK_RATE_LIMIT", 30),
        getattr(settings, "VENDOR_LINK_RATE_WINDOW", 600),
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def assessment_link(request: HttpRequest, token: str) -> HttpResponse:
    if _throttled(request):
        wait = "Too many requests from your network. Wait a few minutes and try again."
        return _closed(request, 429, "Too many requests", wait)
    item = _by_token(token)
    if item is None:
        return _closed(request, 404, "This link is not valid",
                       "Check that you copied the whole link from the email.")  # fmt: skip
    with organization_scope(item.organization):
        gone = _gone_reason(item)
        if gone:
            return _closed(request, 410, "This link can no longer be used", gone)
        if request.method != "POST":
            return _form(request, item)
        return _submit(request, item)


def _submit(request: HttpRequest, item: Assessment) -> HttpResponse:
    answers, uploads = answers_from_post(item.questions, request.POST, request.FILES)
    agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    label = f"vendor contact {item.sent_to}"
    actor = Actor(kind="anonymous", label=label, ip=client_ip(request), user_agent=agent)
    try:
        services.submit_answers(
            item.organization, actor, item.pk, answers=answers, files=uploads,
            submitted_by=item.sent_to, via_link=True,
        )  # fmt: skip
    except services.LinkGone as exc:
        return _closed(request, 410, "This link can no longer be used", exc.message)
    except DomainError as exc:
        return _form(request, item, exc, answers, status=exc.status)
    return _closed(request, 200, "Thank you", "Your answers were sent. You can close this page.")


def _by_token(token: str) -> Assessment | None:
    if not _TOKEN.fullmatch(token):
        return None
    with scopes_disabled():
        return (
            Assessment.objects.filter(token_hash=digest(token))
            .select_related("organization", "vendor")
            .first()
        )


def _gone_reason(item: Assessment) -> str:
    if item.status != VendorAssessmentStatus.SENT:
        return "These answers were already submitted. Thank you."
    if item.link_expires_at is None or timezone.now() >= item.link_expires_at:
        return "This link has expired. Ask your contact for a new one."
    return ""


def _throttled(request: HttpRequest) -> bool:
    limit, window = rate_limit()
    return not core_services.admit_hit(LinkHit, client_ip(request), limit, window)


def _form(request, item: Assessment, error=None, values=None, status: int = 200) -> HttpResponse:
    context = {"assessment": item, "vendor": item.vendor, "error": error,
               "question_groups": question_sections(item.questions, values),
               "org_name": item.organization.name}  # fmt: skip
    return _respond(render(request, "vendors/public_form.html", context, status=status))


def _closed(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    context = {"title": title, "message": message}
    return _respond(render(request, "vendors/public_closed.html", context, status=status))


def _respond(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"  # the token must not leak to other sites
    return response
