"""Reads of the alerts pages and API."""

from __future__ import annotations

from django.db.models import QuerySet

from zgovern.alerts.models import Alert
from zgovern.tenancy import roles
from zgovern.tenancy.models import Membership, Organization


def alerts_for(
    org: Organization, membership: Membership, *, kind: str = "", status: str = ""
) -> QuerySet[Alert]:
    """Newest first: every alert of the organisation for those who manage its settings
    (webhook rows included), otherwise the ones addressed to the member."""
    rows = Alert.objects.filter(organization=org).select_related("recipient")
    if not membership.can(roles.MANAGE_SETTINGS):
        rows = rows.filter(recipient_id=membership.user_id)
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")
