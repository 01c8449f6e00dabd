"""Auditors limited to the audits they are invited to, and the record of what they open.

An auditor-role member with any grant (open, expired or revoked) is *limited*: they reach
only the audits their open grants name, through an allow-list of routes (the audit's
page, its bundles, the fieldwork pages and their API twins); anything else of the
organisation answers 404, and an audit whose grant has ended answers 403 saying so. An
auditor member without any grant keeps the organisation-wide read access of the role.

Every page, file and export an invited (limited) auditor opens successfully is recorded
as ``auditor.viewed`` in the activity log, with its path, against the audit when there is
one. An auditor-role member without grants is the organisation's own read-only member, whose
reads are not logged (reads stay reads, as everywhere else).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from zgovern.core.actor import Actor
from zgovern.fieldwork.models import AuditorGrant
from zgovern.tenancy import activity
from zgovern.tenancy.roles import Role

SAFE_METHODS = {"GET", "HEAD"}
# Pages not about one audit that a limited auditor may open (tokens let them use the API).
OPEN_ROUTES = {"fieldwork:index", "tenancy:tokens", "tenancy:token_revoke"}
# The organisation's audit list and dashboard: a limited auditor is sent to their own list.
LISTS = {"audits:index", "core:dashboard"}
# Who else was invited, and the organisation's record of auditors, are not theirs to see.
HIDDEN = {
    "fieldwork:grants",
    "fieldwork:revoke_grant",
    "list_grants",
    "invite_auditor",
    "revoke_auditor",
    "list_access_log",
}


@dataclass
class Grants:
    active: dict[int, datetime] = field(default_factory=dict)  # audit id -> expiry
    ended: dict[int, datetime] = field(default_factory=dict)  # audit id -> when it ended


def grants_of(org, user) -> Grants | None:
    """The user's grants in ``org`` (matched by user, or by address before they joined);
    None when they have none, i.e. they are not limited to particular audits."""
    rows = AuditorGrant.objects.filter(organization=org).filter(
        Q(user=user) | Q(user__isnull=True, email__iexact=user.email)
    )
    found = list(rows.values_list("audit_id", "expires_at", "revoked_at"))
    if not found:
        return None
    now, grants = timezone.now(), Grants()
    for audit_id, expires_at, revoked_at in found:
        if revoked_at is None and now < expires_at:
            grants.active[audit_id] = max(expires_at, grants.active.get(audit_id, expires_at))
        else:
            ended = min(revoked_at or expires_at, expires_at)
            grants.ended[audit_id] = max(ended, grants.ended.get(audit_id, ended))
    return grants


def limited_grants(request: HttpRequest) -> Grants | None:
    """The request's grants when its member is a limited auditor (computed once)."""
    if not hasattr(request, "_fieldwork_grants"):
        membership = getattr(request, "membership", None)
        grants = None
        if membership is not None and membership.role == Role.AUDITOR:
            grants = grants_of(request.organization, membership.user)
        request._fieldwork_grants = grants
    return request._fieldwork_grants


def may_work_on(request: HttpRequest, audit_id: int) -> bool:
    """Whether the caller may add fieldwork (samples, comments) to the audit: a member who
    may write, or an auditor whose grant to it is open."""
    from zgovern.tenancy import roles

    if request.membership.can(roles.WRITE):
        return True
    grants = limited_grants(request)
    return grants is not None and audit_id in grants.active


class AuditorAccessMiddleware:
    """Sits after the tenancy middleware, which has found the organisation and member."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        membership = getattr(request, "membership", None)
        if (
            membership is not None
            and request.method in SAFE_METHODS
            and response.status_code < 400
            and limited_grants(request) is not None
        ):
            _record_view(request)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if getattr(request, "membership", None) is None:
            return None
        grants = limited_grants(request)
        if grants is None:
            return None
        match = request.resolver_match
        is_api = match.route.startswith("api/")
        audit_id = _audit_of(request, match.kwargs)
        request._fieldwork_audit_id = audit_id
        if match.view_name in LISTS or (is_api and match.url_name == "list_audits"):
            return _refuse(request, grants, None, is_api, match)
        if not _allowed(match, is_api):
            return _refuse(request, grants, None, is_api, match)
        if audit_id is None:
            return None
        if audit_id in grants.active:
            return None
        return _refuse(request, grants, audit_id, is_api, match)


def _audit_of(request: HttpRequest, kwargs: dict) -> int | None:
    """The audit a route is about: its ``audit_id``, or the audit of the object its path
    names (a bundle, a sample, a PBC request …); 0 for an object that does not exist."""
    if "audit_id" in kwargs:
        return int(kwargs["audit_id"])
    for name, value in kwargs.items():
        model = audit_models().get(name)
        if model is not None:
            found = model.objects.filter(organization=request.organization, pk=value)
            return found.values_list("audit_id", flat=True).first() or 0
    return None


@cache
def audit_models() -> dict[str, type]:
    """Path parameter -> tenant model that belongs to one audit (has an ``audit`` key)."""
    from django.apps import apps

    from zgovern.audits.models import Audit
    from zgovern.tenancy.models import TenantModel

    found = {}
    for model in apps.get_models():
        if not issubclass(model, TenantModel) or not model.url_param:
            continue
        field = next((f for f in model._meta.fields if f.name == "audit"), None)
        if field is not None and field.related_model is Audit:
            found[model.url_param] = model
    return found


def _allowed(match, is_api: bool) -> bool:
    """Routes about one audit (checked against the grants next), and the few others a
    limited auditor needs."""
    if match.view_name in HIDDEN or match.url_name in HIDDEN:
        return False
    if "audit_id" in match.kwargs or any(name in audit_models() for name in match.kwargs):
        return True
    if is_api:
        return match.url_name == "list_audits"
    return match.view_name in OPEN_ROUTES


def _refuse(request, grants: Grants, audit_id: int | None, is_api: bool, match):
    """Redirects the audit lists to the auditor's own; 403 for an ended grant; else 404."""
    if audit_id is None and match.view_name in ("audits:index", "core:dashboard"):
        return redirect("fieldwork:index", org_slug=request.organization.slug)
    if audit_id is None and match.url_name == "list_audits":
        return _api_audits(request, grants)
    if audit_id is not None and audit_id in grants.ended:
        message = (
            f"Your access to this audit ended on "
            f"{grants.ended[audit_id]:%Y-%m-%d %H:%M} UTC; ask the organisation "
            "to extend it."
        )
        if is_api:
            return JsonResponse({"detail": message, "errors": []}, status=403)
        return render(request, "fieldwork/ended.html", {"message": message}, status=403)
    if is_api:
        return JsonResponse({"detail": "Not found.", "errors": []}, status=404)
    raise Http404("Your access is limited to the audits you are invited to.")


def _api_audits(request: HttpRequest, grants: Grants) -> JsonResponse:
    """The audit list of the API, cut to the auditor's open grants."""
    from zgovern.audits.api import _out
    from zgovern.audits.models import Audit
    from zgovern.audits.schemas import AuditOut

    rows = Audit.objects.filter(organization=request.organization, pk__in=list(grants.active))
    body = [
        AuditOut.model_validate(_out(a)).model_dump(mode="json")
        for a in rows.select_related("framework")
    ]
    request._fieldwork_audit_id = None
    return JsonResponse(body, safe=False)


def _record_view(request: HttpRequest) -> None:
    from zgovern.audits.models import Audit

    audit_id = getattr(request, "_fieldwork_audit_id", None)
    if audit_id is None and request.resolver_match is not None:
        audit_id = _audit_of(request, request.resolver_match.kwargs)
    audit = (
        Audit.objects.filter(organization=request.organization, pk=audit_id).first()
        if audit_id
        else None
    )
    query = request.META.get("QUERY_STRING", "")
    path = request.path + (f"?{query}" if query else "")
    details = {"path": path[:1000], "audit": audit.pk if audit else None}
    activity.record(
        request.organization, Actor.from_request(request), "auditor.viewed", audit, details
    )
