"""REST endpoints of the organisation's integrations: list, read, add, change, replace the
credentials, test the connection, run now, delete; and the providers one can add.

Credentials are write-only: no response contains them. Adding an integration, replacing
its credentials and deleting it need an owner or admin (``manage_settings``); other
writes need a read-write token of a member who may write.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Router, Status

from zgovern.api import require
from zgovern.core.actor import Actor
from zgovern.integrations import registry, services
from zgovern.integrations.models import Integration
from zgovern.integrations.schemas import (
    MAX_ID,
    ConnectionReportOut,
    CredentialsIn,
    ErrorOut,
    IntegrationIn,
    IntegrationOut,
    IntegrationPatch,
    ProviderOut,
    RunQueuedOut,
)
from zgovern.monitoring import services as monitoring
from zgovern.tenancy import roles

router = Router(tags=["integrations"])

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
IntegrationId = Path(..., ge=1, le=MAX_ID, description="An integration's id.")


def _get(request: HttpRequest, integration_id: int) -> Integration:
    return get_object_or_404(Integration, pk=integration_id, organization=request.organization)


@router.get(
    "/integration-providers",
    response={200: list[ProviderOut], **READ_ERRORS},
    summary="List providers",
)
def list_providers(request: HttpRequest):
    """The providers an integration can connect to, with the JSON Schemas of their
    `config` and `credentials`."""
    return [
        {
            "key": p.key,
            "name": p.name,
            "config_schema": p.config_schema.model_json_schema(),
            "credentials_schema": p.credentials_schema.model_json_schema(),
        }
        for p in registry.all_providers()
    ]


@router.get(
    "/integrations",
    response={200: list[IntegrationOut], **READ_ERRORS},
    summary="List integrations",
)
def list_integrations(request: HttpRequest):
    """Every integration of the organisation, by name; credentials are never included."""
    return list(
        Integration.objects.filter(organization=request.organization).order_by("name", "id")
    )


@router.post(
    "/integrations", response={201: IntegrationOut, **WRITE_ERRORS}, summary="Add an integration"
)
def create_integration(request: HttpRequest, payload: IntegrationIn):
    """Connect a provider. `config` and `credentials` follow the provider's schemas (see
    `/integration-providers`); credentials may be added later. Needs an owner or admin.
    Logged as `integration.created` (without the credentials)."""
    require(request, roles.MANAGE_SETTINGS)
    integration = services.create_integration(
        request.organization, Actor.from_request(request), **payload.model_dump()
    )
    return Status(201, integration)


@router.get(
    "/integrations/{int:integration_id}",
    response={200: IntegrationOut, **READ_ERRORS},
    summary="Get an integration",
)
def get_integration(request: HttpRequest, integration_id: int = IntegrationId):
    """One integration: its settings, schedule, whether credentials are set (never the
    credentials themselves) and its last run's outcome."""
    return _get(request, integration_id)


@router.patch(
    "/integrations/{int:integration_id}",
    response={200: IntegrationOut, **WRITE_ERRORS},
    summary="Change an integration",
)
def update_integration(
    request: HttpRequest, payload: IntegrationPatch, integration_id: int = IntegrationId
):
    """Rename, reconfigure, change the interval (1 to 24 hours) or pause the schedule.
    Fields left out keep their value. Logged as `integration.updated`."""
    integration = _get(request, integration_id)
    return services.update_integration(
        request.organization,
        Actor.from_request(request),
        integration.pk,
        **payload.model_dump(exclude_unset=True),
    )


@router.put(
    "/integrations/{int:integration_id}/credentials",
    response={204: None, **WRITE_ERRORS},
    summary="Replace the credentials",
)
def replace_credentials(
    request: HttpRequest, payload: CredentialsIn, integration_id: int = IntegrationId
):
    """Store new credentials (encrypted); they are never returned. Needs an owner or admin.
    Logged as `integration.credentials_replaced`, without the values."""
    require(request, roles.MANAGE_SETTINGS)
    integration = _get(request, integration_id)
    services.replace_credentials(
        request.organization, Actor.from_request(request), integration.pk, payload.credentials
    )
    return Status(204, None)


@router.post(
    "/integrations/{int:integration_id}/test",
    response={200: ConnectionReportOut, **WRITE_ERRORS},
    summary="Test the connection",
)
def test_connection(request: HttpRequest, integration_id: int = IntegrationId):
    """Ask the provider what works with the stored settings; `missing_permissions` names
    what is denied. 400 when no credentials are set."""
    integration = _get(request, integration_id)
    report = services.test_connection(
        request.organization, Actor.from_request(request), integration.pk
    )
    return {
        "ok": report.ok,
        "checks": [{"capability": c, "works": w, "detail": d} for c, w, d in report.checks],
        "missing_permissions": list(report.missing_permissions),
    }


@router.post(
    "/integrations/{int:integration_id}/runs",
    response={202: RunQueuedOut, **WRITE_ERRORS},
    summary="Run the checks now",
)
def run_now(request: HttpRequest, integration_id: int = IntegrationId):
    """Queue a run of the integration's checks; a run already under way is not doubled.
    The run appears under `/runs`. 400 when no credentials are set."""
    integration = _get(request, integration_id)
    monitoring.request_run(request.organization, Actor.from_request(request), integration.pk)
    return Status(202, {"integration_id": integration.pk, "queued": True})


@router.delete(
    "/integrations/{int:integration_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Delete an integration",
)
def delete_integration(request: HttpRequest, integration_id: int = IntegrationId):
    """Remove the integration and its credentials. Its runs and the history of its
    resources are kept; their current statuses are closed. Needs an owner or admin."""
    require(request, roles.MANAGE_SETTINGS)
    integration = _get(request, integration_id)
    services.delete_integration(request.organization, Actor.from_request(request), integration.pk)
    return Status(204, None)
