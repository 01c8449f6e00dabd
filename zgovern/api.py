"""The REST API root at ``/api/v1/``: bearer-token auth, error shapes, and the routers of
each app. The token decides the organisation (see the tenancy middleware)."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from zgovern import __version__
from zgovern.core.errors import DomainError
from zgovern.tenancy import roles

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class TokenAuth(HttpBearer):
    """Accept the token the tenancy middleware already resolved; refuse writes for
    read-only tokens and read-only roles, and reads for roles without ``read`` (as the
    web does: an employee sees only their own tasks). An operation open to such roles
    passes its own ``auth=TokenAuth(read=roles.OWN_TASKS)``."""

    def __init__(self, read: str = roles.READ) -> None:
        super().__init__()
        self.read = read

    def __call__(self, request: HttpRequest):
        token = getattr(request, "api_token", None)
        if token is None:
            return None
        if request.method in SAFE_METHODS:
            if not request.membership.can(self.read):
                raise HttpError(403, f"Your role ({request.membership.role}) cannot read this.")
        else:
            if token.read_only:
                raise HttpError(403, "This API token is read-only.")
            if not request.membership.can(roles.WRITE):
                raise HttpError(403, f"Your role ({request.membership.role}) is read-only.")
        return token

    def authenticate(self, request: HttpRequest, token: str):  # pragma: no cover - see __call__
        return getattr(request, "api_token", None)


def require(request: HttpRequest, capability: str) -> None:
    """Refuse with 403 unless the caller's role has ``capability``."""
    if not request.membership.can(capability):
        raise HttpError(403, f"Your role ({request.membership.role}) cannot do this.")


api = NinjaAPI(
    title="zGovern API",
    version="1",
    description=(
        "Compliance automation: organisations, controls, evidence and audits.\n\n"
        "**Authentication.** Create a token under Settings → API tokens and send it as "
        "`Authorization: Bearer <token>`. The token decides the organisation; another "
        "organisation's objects answer 404. Read-only tokens, and tokens of read-only "
        "roles, get 403 on anything but GET.\n\n"
        '**Errors.** Every error answers JSON `{"detail": "…", "errors": '
        '[{"field": "…", "message": "…"}]}`; `errors` names the inputs at fault '
        "(`body` for a body that is not JSON). 400/422 bad input, 401 no valid token, "
        "403 not allowed, 404 not found, 409 conflicts with the current state."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _error(request: HttpRequest, status: int, detail: str, errors: list[dict] | None = None):
    """Every error body has the same shape: ``{"detail": ..., "errors": [{field, message}]}``."""
    return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
    return _error(request, exc.status, exc.message, errors)


# Where ninja says an input came from; the field is named without it.
_LOCATIONS = {"body", "payload", "query", "filters", "path", "header", "cookie", "form"}


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError):
    errors = [
        {
            "field": ".".join(str(part) for part in err.get("loc", ()) if part not in _LOCATIONS),
            "message": err.get("msg", "invalid"),
        }
        for err in exc.errors
    ]
    summary = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors)
    return _error(request, 422, summary, errors)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    cause = exc.__cause__
    if isinstance(cause, ValueError):
        # ninja wraps the JSON parser's complaint in a bare 400; say what and where.
        message = f"The request body is not valid JSON ({cause})."
        return _error(request, 400, message, [{"field": "body", "message": message}])
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404):
    return _error(request, 404, "Not found.")


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError):
    response = _error(request, 401, "Send a valid API token as 'Authorization: Bearer …'.")
    response["WWW-Authenticate"] = 'Bearer realm="zgovern"'
    return response


@api.get("/version", auth=None, tags=["meta"])
def version(request: HttpRequest) -> dict:
    """The server's version; needs no token."""
    return {"version": __version__}


def _mount_routers() -> None:
    from zgovern.audits.api import router as audits_router
    from zgovern.audits.api_oscal import router as audits_oscal_router
    from zgovern.changes.api import router as changes_router
    from zgovern.controls.api import router as controls_router
    from zgovern.effectiveness.api import router as effectiveness_router
    from zgovern.evidence.api import router as evidence_router
    from zgovern.fieldwork.api import router as fieldwork_router
    from zgovern.findings.api import router as findings_router
    from zgovern.frameworks.api import router as frameworks_router
    from zgovern.identity.api import router as identity_router
    from zgovern.incidents.api import router as incidents_router
    from zgovern.integrations.api import router as integrations_router
    from zgovern.monitoring.api import router as monitoring_router
    from zgovern.pbc.api import router as pbc_router
    from zgovern.people.api import router as people_router
    from zgovern.policies.api import router as policies_router
    from zgovern.portal.api import router as portal_router
    from zgovern.readiness.api import router as readiness_router
    from zgovern.reviews.api import router as reviews_router
    from zgovern.risks.api import router as risks_router
    from zgovern.tenancy.api import router as tenancy_router
    from zgovern.training.api import router as training_router
    from zgovern.trust.api import router as trust_router
    from zgovern.vendors.api import router as vendors_router

    api.add_router("/", tenancy_router)
    api.add_router("/", controls_router)
    api.add_router("/", evidence_router)
    api.add_router("/", frameworks_router)
    api.add_router("/", readiness_router)
    api.add_router("/", integrations_router)
    api.add_router("/", monitoring_router)
    api.add_router("/", people_router)
    api.add_router("/", audits_router)
    api.add_router("/", fieldwork_router)
    api.add_router("/", audits_oscal_router)
    api.add_router("/", findings_router)
    api.add_router("/", effectiveness_router)
    api.add_router("/", pbc_router)
    api.add_router("/", identity_router)
    api.add_router("/", changes_router)
    api.add_router("/", policies_router)
    api.add_router("/", training_router)
    api.add_router("/", portal_router)
    api.add_router("/", incidents_router)
    api.add_router("/", risks_router)
    api.add_router("/", vendors_router)
    api.add_router("/", reviews_router)
    api.add_router("/", "zgovern.alerts.api.router")
    api.add_router("/", trust_router)


_mount_routers()
