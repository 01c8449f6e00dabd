"""REST endpoints of the identity graph: accounts in every connected system and their link
to people, aliases, the user-list upload, MFA coverage and the workforce windows.

The bearer token decides the organisation; every account, alias and person is looked up
through it, so another organisation's id answers 404. Writes go through
:mod:`zgovern.identity.services`, which log each one.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Path, Query, Router, Status, UploadedFile

from zgovern.core.actor import Actor
from zgovern.core.errors import NotFound
from zgovern.identity import queries, services
from zgovern.identity.models import Account, PersonAlias
from zgovern.identity.schemas import (
    MAX_ID,
    AccountImportErrorOut,
    AccountImportOut,
    AccountLinkIn,
    AccountOut,
    AccountPage,
    AccountQuery,
    AccountServiceIn,
    AliasIn,
    AliasOut,
    ErrorOut,
    MfaCoverageOut,
    WorkforceWindowsIn,
    WorkforceWindowsOut,
)
from zgovern.identity.userlist import UserListError
from zgovern.people.models import Person
from zgovern.tenancy import roles

router = Router(tags=["identity"])

READ_ERRORS = {code: ErrorOut for code in (401, 403, 404, 422)}
WRITE_ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
AccountId = Path(..., ge=1, le=MAX_ID, description="An account's id.")
AliasId = Path(..., ge=1, le=MAX_ID, description="An alias's id.")
OptionalFile = File(None, description="The user list, CSV (UTF-8) or XLSX (required).")
EXCEPTIONS_LISTED = 500


def _account(request: HttpRequest, account_id: int) -> Account:
    found = queries.account(request.organization, account_id)
    if found is None:
        raise NotFound("No such account.")
    return found


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


@router.get("/accounts", response={200: AccountPage, **READ_ERRORS}, summary="List accounts")
def list_accounts(request: HttpRequest, filters: Query[AccountQuery]):
    """Accounts of every system by system and username, `limit` from `offset`, filtered
    by system, status, MFA state and whether linked (`yes`, `no` = unlinked and not a
    service account, `service`)."""
    rows = queries.accounts(
        request.organization, q=filters.q.strip(), system=filters.system.strip().lower(),
        status=filters.status.value if filters.status else "",
        mfa=filters.mfa.value if filters.mfa else "", linked=filters.linked,
    )  # fmt: skip
    items = list(rows[filters.offset : filters.offset + filters.limit])
    return {"count": rows.count(), "items": items}


@router.get(
    "/accounts/mfa-coverage",
    response={200: MfaCoverageOut, **READ_ERRORS},
    summary="MFA coverage of every active account",
)
def mfa_coverage(request: HttpRequest):
    """One figure over every active account of every system (AWS users without a console
    password excluded), with the accounts without MFA or whose MFA state is unknown."""
    coverage = queries.mfa_coverage(request.organization)
    exceptions = list(queries.mfa_exceptions(request.organization)[:EXCEPTIONS_LISTED])
    return {
        "total": coverage.total, "enabled": coverage.enabled, "disabled": coverage.disabled,
        "unknown": coverage.unknown, "percent": coverage.percent, "exceptions": exceptions,
    }  # fmt: skip


@router.get(
    "/accounts/{int:account_id}",
    response={200: AccountOut, **READ_ERRORS},
    summary="Get an account",
)
def get_account(request: HttpRequest, account_id: int = AccountId):
    """One account with its link to a person or its service-account owner."""
    return _account(request, account_id)


@router.post(
    "/accounts/{int:account_id}/link",
    response={200: AccountOut, **WRITE_ERRORS},
    summary="Link an account to a person",
)
def link_account(request: HttpRequest, payload: AccountLinkIn, account_id: int = AccountId):
    """Link by hand; no sync moves it afterwards. A person not on the roster is a 400.
    Logged as `identity.account_linked`."""
    _account(request, account_id)
    services.link_account(request.organization, _actor(request), account_id, payload.person_id)
    return _account(request, account_id)


@router.post(
    "/accounts/{int:account_id}/unlink",
    response={200: AccountOut, **WRITE_ERRORS},
    summary="Unlink an account",
)
def unlink_account(request: HttpRequest, account_id: int = AccountId):
    """Unlink by hand: it stays unlinked, listed for attention, until linked again.
    Logged as `identity.account_unlinked`."""
    _account(request, account_id)
    services.unlink_account(request.organization, _actor(request), account_id)
    return _account(request, account_id)


@router.post(
    "/accounts/{int:account_id}/service",
    response={200: AccountOut, **WRITE_ERRORS},
    summary="Mark an account as a service account",
)
def mark_service(request: HttpRequest, payload: AccountServiceIn, account_id: int = AccountId):
    """A service account has an owner (a person on the roster) and a note on its use.
    Logged as `identity.account_marked_service`."""
    _account(request, account_id)
    services.mark_service(
        request.organization, _actor(request), account_id,
        owner_id=payload.owner_id, note=payload.note,
    )  # fmt: skip
    return _account(request, account_id)


@router.delete(
    "/accounts/{int:account_id}/service",
    response={200: AccountOut, **WRITE_ERRORS},
    summary="Make a service account a person's again",
)
def unmark_service(request: HttpRequest, account_id: int = AccountId):
    """It is linked automatically again where its email or username matches; 409 when it
    is not a service account. Logged as `identity.account_unmarked_service`."""
    _account(request, account_id)
    services.unmark_service(request.organization, _actor(request), account_id)
    return _account(request, account_id)


@router.post(
    "/accounts/import",
    response={**WRITE_ERRORS, 200: AccountImportOut, 400: AccountImportErrorOut},
    summary="Import a user list",
)
def import_accounts(request: HttpRequest, file: UploadedFile | None = OptionalFile):
    """A multipart upload (`file`) of any system's users, CSV (UTF-8) or XLSX, with the
    columns `system` and `external_id` or `username` (required), `email`,
    `display_name`, `status`, `mfa`, `privileged`, `last_login_at`. Checked whole first:
    any problem answers 400 listing every one by line and column, and nothing is imported.
    Each system in the file is its full list (its uploaded accounts not in the file become
    removed); a system synced by an integration is refused."""
    data = None
    if file is not None:
        file.seek(0)
        data = file.read(settings.ROSTER_MAX_BYTES + 1)
    try:
        return services.import_accounts(
            request.organization, _actor(request), file.name if file else "", data
        )
    except UserListError as exc:
        return Status(400, {
            "detail": exc.message,
            "errors": [{"field": "file", "message": str(p)} for p in exc.problems],
            "total": exc.total,
            "problems": exc.problems,
        })  # fmt: skip


@router.get("/aliases", response={200: list[AliasOut], **READ_ERRORS}, summary="List aliases")
def list_aliases(request: HttpRequest, person_id: int | None = Query(None, ge=1, le=MAX_ID)):
    """Every alias (another email or username a person is known by), or one person's."""
    rows = PersonAlias.objects.filter(organization=request.organization)
    if person_id is not None:
        rows = rows.filter(person_id=person_id)
    return list(rows.order_by("alias", "id")[:5000])


@router.post("/aliases", response={201: AliasOut, **WRITE_ERRORS}, summary="Add an alias")
def add_alias(request: HttpRequest, payload: AliasIn):
    """Accounts whose email or username is the alias are linked to the person (unless
    linked by hand). An alias already known, or another person's work email, is a 409.
    Logged as `identity.alias_added`."""
    if not Person.objects.filter(organization=request.organization, pk=payload.person_id).exists():
        raise NotFound("No such person.")
    alias = services.add_alias(
        request.organization, _actor(request), payload.person_id, payload.alias
    )
    return Status(201, alias)


@router.delete(
    "/aliases/{int:alias_id}", response={204: None, **WRITE_ERRORS}, summary="Remove an alias"
)
def remove_alias(request: HttpRequest, alias_id: int = AliasId):
    """Accounts it linked are linked again by what remains. Logged as
    `identity.alias_removed`."""
    services.remove_alias(request.organization, _actor(request), alias_id)
    return Status(204, None)


@router.get(
    "/identity/settings",
    response={200: WorkforceWindowsOut, **READ_ERRORS},
    summary="Get the workforce windows",
)
def get_windows(request: HttpRequest):
    """The revocation window (business days after a leaver's last day) and the onboarding
    window (days after a start date) the workforce checks allow."""
    return services.settings_for(request.organization)


@router.put(
    "/identity/settings",
    response={200: WorkforceWindowsOut, **WRITE_ERRORS},
    summary="Change the workforce windows",
)
def put_windows(request: HttpRequest, payload: WorkforceWindowsIn):
    """Owners and admins only. Logged as `identity.settings_updated`."""
    from zgovern.api import require

    require(request, roles.MANAGE_SETTINGS)
    return services.update_settings(request.organization, _actor(request), **payload.model_dump())
