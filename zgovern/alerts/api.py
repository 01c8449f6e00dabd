"""REST endpoints of alerts: the caller's choices per kind, the organisation's settings
(webhook shown by host only) and the alerts sent.

Reading needs READ; changing one's choices WRITE; changing the organisation's settings
MANAGE_SETTINGS. Writes go through :mod:`zgovern.alerts.services`, which log each one.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from zgovern.alerts import queries, services
from zgovern.alerts.models import AlertSettings, Kind
from zgovern.alerts.schemas import (
    AlertPage,
    AlertPreferenceOut,
    AlertPreferencesIn,
    AlertSettingsIn,
    AlertSettingsOut,
    AlertsQuery,
    ErrorOut,
)
from zgovern.api import require
from zgovern.core.actor import Actor
from zgovern.tenancy import roles

router = Router(tags=["alerts"])

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}


def _preferences(modes: dict[str, str]) -> list[dict]:
    labels = dict(Kind.choices)
    return [{"kind": kind, "label": labels[kind], "mode": mode} for kind, mode in modes.items()]


def _settings(row: AlertSettings) -> dict:
    return {
        "webhook_set": bool(row.webhook_ciphertext),
        "webhook_host": row.webhook_host,
        "rate_limit_minutes": row.rate_limit_minutes,
        "weekly_summary": row.weekly_summary,
    }


@router.get(
    "/alerts/preferences",
    response={200: list[AlertPreferenceOut], **READ_ERRORS},
    summary="My alert choices",
)
def get_preferences(request: HttpRequest):
    """The caller's choice for each kind of alert (defaults filled in)."""
    return _preferences(services.modes_for(request.organization, request.api_token.user))


@router.post(
    "/alerts/preferences",
    response={200: list[AlertPreferenceOut], **WRITE_ERRORS},
    summary="Change my alert choices",
)
def set_preferences(request: HttpRequest, payload: AlertPreferencesIn):
    """Set immediate, digest or off for the kinds given; the full list back."""
    modes = {kind.value: mode.value for kind, mode in payload.modes.items()}
    return _preferences(
        services.set_modes(request.organization, Actor.from_request(request), modes)
    )


@router.get(
    "/alerts/settings",
    response={200: AlertSettingsOut, **READ_ERRORS},
    summary="The organisation's alert settings",
)
def get_settings(request: HttpRequest):
    """Whether a webhook is set (and its host only), the rate limit and the weekly summary."""
    return _settings(services.settings_for(request.organization))


@router.post(
    "/alerts/settings",
    response={200: AlertSettingsOut, **WRITE_ERRORS},
    summary="Change the organisation's alert settings",
)
def update_settings(request: HttpRequest, payload: AlertSettingsIn):
    """Set or remove the webhook (https only; never shown back), the rate limit of check
    alerts and the weekly summary. Needs the manage-settings capability."""
    require(request, roles.MANAGE_SETTINGS)
    row = services.update_settings(
        request.organization,
        Actor.from_request(request),
        webhook_url=(payload.webhook_url or "").strip() or None,
        clear_webhook=payload.clear_webhook,
        rate_limit_minutes=payload.rate_limit_minutes,
        weekly_summary=payload.weekly_summary,
    )
    return _settings(row)


@router.get("/alerts", response={200: AlertPage, **READ_ERRORS}, summary="List alerts")
def list_alerts(request: HttpRequest, filters: Query[AlertsQuery]):
    """Alerts newest first, `limit` from `offset`: all of the organisation's for those who
    manage its settings, otherwise the caller's own; filtered by kind and status."""
    rows = queries.alerts_for(
        request.organization,
        request.membership,
        kind=filters.kind.value if filters.kind else "",
        status=filters.status.value if filters.status else "",
    )
    return {
        "count": rows.count(),
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
    }
