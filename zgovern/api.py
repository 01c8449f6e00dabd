"""The REST API root at ``/api/v1/``: bearer-token auth, error shapes, and the routers of
each app. The token decides the organisation (see the tenancy middleware)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from zgovern import __version__
from zgovern.core.errors import DomainError
from zgovern.tenancy import roles

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class TokenAuth(HttpBearer):
    """Accept the token the tenancy middleware already resolved; refuse writes for
    read-only tokens and read-only roles."""

    def __call__(self, request: HttpRequest):
        token = getattr(request, "api_token", None)
        if token is None:
            return None
        if request.method not in SAFE_METHODS:
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
    description="Compliance automation: organisations, controls, evidence and audits.",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    body = {"detail": exc.message}
    if exc.field:
        body["errors"] = [{"field": exc.field, "message": exc.message}]
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError):
    errors = [
        {
            "field": ".".join(
                str(part) for part in err.get("loc", ()) if part not in ("body", "payload")
            ),
            "message": err.get("msg", "invalid"),
        }
        for err in exc.errors
    ]
    summary = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors)
    return api.create_response(request, {"detail": summary, "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError):
    response = api.create_response(
        request, {"detail": "Send a valid API token as 'Authorization: Bearer …'."}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="zgovern"'
    return response


@api.get("/version", auth=None, tags=["meta"])
def version(request: HttpRequest) -> dict:
    """The server's version; needs no token."""
    return {"version": __version__}


def _mount_routers() -> None:
    from zgovern.tenancy.api import router as tenancy_router

    api.add_router("/", tenancy_router)


_mount_routers()
