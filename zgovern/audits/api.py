"""REST endpoints of audits: engagements, their bundles (queued here, built by the worker,
downloaded when ready) and the organisation's bundle-signing key."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from ninja import Path, Router, Status

from zgovern.api import require
from zgovern.audits import services, signing
from zgovern.audits.models import Audit, Bundle
from zgovern.audits.schemas import (
    AuditErrorOut,
    AuditIn,
    AuditOut,
    AuditPatch,
    BundleOut,
    SigningKeyOut,
)
from zgovern.core.actor import Actor
from zgovern.core.errors import NotFound
from zgovern.core.schema_types import MAX_ID
from zgovern.tenancy import roles

router = Router(tags=["audits"])
READ_ERRORS = {code: AuditErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: AuditErrorOut for code in (400, 401, 403, 404, 409, 422)}
AuditId = Path(..., ge=1, le=MAX_ID, description="An audit's id.")
BundleId = Path(..., ge=1, le=MAX_ID, description="A bundle's id.")


def _out(audit: Audit) -> dict:
    out = {field: getattr(audit, field) for field in AuditOut.model_fields if field != "warnings"}
    return {**out, "framework": audit.framework.key, "warnings": services.warnings(audit)}


@router.get("/audits", response={200: list[AuditOut], **READ_ERRORS}, summary="List audits")
def list_audits(request: HttpRequest):
    """Every audit of the organisation, newest first, with warnings about its settings."""
    rows = Audit.objects.filter(organization=request.organization).select_related("framework")
    return [_out(audit) for audit in rows]


@router.post("/audits", response={201: AuditOut, **WRITE_ERRORS}, summary="Create an audit")
def create_audit(request: HttpRequest, payload: AuditIn):
    """Create an engagement over an adopted framework. A Type 2 needs `period_start` and
    `period_end` before a bundle can be exported; one shorter than six months is accepted
    with a warning. Logged as `audit.created`."""
    data = payload.model_dump(exclude_none=True)
    audit = services.create_audit(request.organization, Actor.from_request(request), data)
    return Status(201, _out(audit))


@router.get(
    "/audits/{int:audit_id}", response={200: AuditOut, **READ_ERRORS}, summary="Get an audit"
)
def get_audit(request: HttpRequest, audit_id: int = AuditId):
    """One audit with its warnings."""
    return _out(services.get_audit(request.organization, audit_id))


@router.patch(
    "/audits/{int:audit_id}", response={200: AuditOut, **WRITE_ERRORS}, summary="Change an audit"
)
def update_audit(request: HttpRequest, payload: AuditPatch, audit_id: int = AuditId):
    """Change the fields given (a `null` date clears it). Logged as `audit.updated`."""
    data = payload.model_dump(exclude_unset=True)
    audit = services.update_audit(request.organization, Actor.from_request(request), audit_id, data)
    return _out(audit)


@router.post(
    "/audits/{int:audit_id}/bundles",
    response={202: BundleOut, **WRITE_ERRORS},
    summary="Export the audit bundle",
)
def request_bundle(request: HttpRequest, audit_id: int = AuditId):
    """Queue a bundle build and answer at once (202); poll `GET /bundles/{id}` for its
    progress and download it when `status` is `ready`. An audit without a period is a 400."""
    bundle = services.request_bundle(request.organization, Actor.from_request(request), audit_id)
    return Status(202, bundle)


@router.get(
    "/audits/{int:audit_id}/bundles",
    response={200: list[BundleOut], **READ_ERRORS},
    summary="List an audit's bundles",
)
def list_bundles(request: HttpRequest, audit_id: int = AuditId):
    """The audit's bundles, newest first."""
    audit = services.get_audit(request.organization, audit_id)
    return list(Bundle.objects.filter(organization=request.organization, audit=audit))


def _bundle(request: HttpRequest, bundle_id: int) -> Bundle:
    bundle = Bundle.objects.filter(organization=request.organization, pk=bundle_id).first()
    if bundle is None:
        raise NotFound("No such bundle.")
    return bundle


@router.get(
    "/bundles/{int:bundle_id}", response={200: BundleOut, **READ_ERRORS}, summary="Get a bundle"
)
def get_bundle(request: HttpRequest, bundle_id: int = BundleId):
    """A bundle's status and progress; when ready, its size and SHA-256."""
    return _bundle(request, bundle_id)


@router.get(
    "/bundles/{int:bundle_id}/download",
    response={200: None, **READ_ERRORS, 409: AuditErrorOut},
    summary="Download a bundle",
)
def download_bundle(request: HttpRequest, bundle_id: int = BundleId):
    """The bundle's ZIP (409 until it is ready). Every download is logged as
    `audit.bundle_downloaded`."""
    bundle = services.download_bundle(request.organization, Actor.from_request(request), bundle_id)
    return _file(bundle)


def _file(bundle: Bundle) -> FileResponse:
    name = f"audit-{bundle.audit_id}-bundle-{bundle.pk}.zip"
    handle = services.bundle_path(bundle).open("rb")
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/zip")


@router.get(
    "/signing-key", response={200: SigningKeyOut, **READ_ERRORS}, summary="Get the signing key"
)
def get_signing_key(request: HttpRequest):
    """The public half of the key that signs the organisation's bundle manifests (made on
    first use): compare its fingerprint with the one `verify` prints."""
    key = signing.active_key(request.organization)
    return {
        "fingerprint": key.fingerprint,
        "public_key": key.public_key,
        "public_key_pem": signing.public_pem(key),
        "created_at": key.created_at,
    }


@router.post(
    "/signing-key/rotate",
    response={200: SigningKeyOut, **WRITE_ERRORS},
    summary="Rotate the signing key",
)
def rotate_signing_key(request: HttpRequest):
    """Make a new signing key (owners and admins); bundles signed before keep verifying
    with the key inside them. Logged as `audit.signing_key_rotated`."""
    require(request, roles.MANAGE_SETTINGS)
    key = services.rotate_key(request.organization, Actor.from_request(request))
    return {
        "fingerprint": key.fingerprint,
        "public_key": key.public_key,
        "public_key_pem": signing.public_pem(key),
        "created_at": key.created_at,
    }
