"""The only writer of integrations: create, change, replace credentials, delete, test the
connection, and the claim a worker takes before running one.

Configuration and credentials are validated by the provider's pydantic schemas before
anything is stored; credentials are stored encrypted and never logged (the activity log
records only that they were set or replaced). Every change and its activity-log row
commit together. Functions taking ``org`` activate its scope themselves, so background
tasks and commands may call them too.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled
from pydantic import BaseModel, SecretBytes, SecretStr
from pydantic import ValidationError as SchemaValidationError
from pydantic_core import to_jsonable_python

from zgovern.core import crypto
from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.integrations import registry
from zgovern.integrations.base import ConnectionReport, Provider, ProviderError
from zgovern.integrations.models import INTERVAL_MAX, INTERVAL_MIN, Integration
from zgovern.monitoring.models import CheckInterval
from zgovern.tenancy import activity
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope

NAME_MAX = 100
CLAIM_GRACE = timedelta(seconds=60)  # beyond the run's time limit, for the final writes
logger = logging.getLogger(__name__)


class InvalidSettings(DomainError):
    """Configuration or credentials the provider's schema refuses. ``errors`` holds one
    ``(field, message)`` per problem, ``field`` being the top-level key at fault."""

    def __init__(self, what: str, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        summary = "; ".join(f"{name}: {message}" if name else message for name, message in errors)
        super().__init__(f"The {what} is not valid: {summary}", field=what)


# -- validation -----------------------------------------------------------------------


def provider_for(key: Any) -> Provider:
    try:
        return registry.get(str(key))
    except KeyError:
        known = ", ".join(p.key for p in registry.all_providers())
        raise DomainError(
            f"Unknown provider {key!r}; choose one of: {known}.", field="provider"
        ) from None


def validate_config(provider: Provider, config: Any) -> dict[str, Any]:
    """``config`` as the provider's schema reads it, as plain JSON."""
    return plain(_parse(provider.config_schema, config, "config"))


def validate_credentials(provider: Provider, credentials: Any) -> dict[str, Any]:
    return plain(_parse(provider.credentials_schema, credentials, "credentials"))


def _parse(schema: type[BaseModel], data: Any, what: str) -> BaseModel:
    if not isinstance(data, dict):
        raise InvalidSettings(what, [("", "must be an object of named values")])
    try:
        return schema.model_validate(data)
    except SchemaValidationError as exc:
        # Only each error's location and message: the input itself may be a secret.
        errors = [
            (".".join(str(part) for part in err.get("loc", ())), err.get("msg", "invalid"))
            for err in exc.errors(include_url=False, include_input=False)
        ]
        raise InvalidSettings(what, errors) from None


def plain(model: BaseModel) -> dict[str, Any]:
    """The model's values as JSON-ready data, secrets unwrapped (for encryption only)."""

    def unwrap(value: Any) -> Any:
        if isinstance(value, (SecretStr, SecretBytes)):
            secret = value.get_secret_value()
            return secret.decode() if isinstance(secret, bytes) else secret
        if isinstance(value, dict):
            return {key: unwrap(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [unwrap(item) for item in value]
        return value

    return to_jsonable_python(unwrap(model.model_dump(mode="python")))


def _clean_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise DomainError("Give the integration a name.", field="name")
    name = name.strip()
    if len(name) > NAME_MAX:
        raise DomainError(f"The name is longer than {NAME_MAX} characters.", field="name")
    if "\x00" in name:
        raise DomainError("The name contains a NUL character.", field="name")
    return name


def _clean_interval(hours: Any) -> int:
    if isinstance(hours, bool) or not isinstance(hours, int):
        raise DomainError("The interval is a whole number of hours.", field="interval_hours")
    if not INTERVAL_MIN <= hours <= INTERVAL_MAX:
        raise DomainError(
            f"The interval is {INTERVAL_MIN} to {INTERVAL_MAX} hours.", field="interval_hours"
        )
    return hours


def _get(org: Organization, integration_id: Any, *, lock: bool = False) -> Integration:
    try:
        pk = int(integration_id)
    except (TypeError, ValueError):
        raise NotFound("No such integration.") from None
    rows = Integration.objects.filter(organization=org, pk=pk)
    found = (rows.select_for_update() if lock else rows).first()
    if found is None:
        raise NotFound("No such integration.")
    return found


def _save(integration: Integration, fields: list[str]) -> None:
    try:
        with transaction.atomic():
            integration.save(update_fields=fields)
    except IntegrityError:
        raise Conflict(
            f"An integration named {integration.name!r} already exists.", field="name"
        ) from None


# -- create, change, delete -----------------------------------------------------------


def create_integration(
    org: Organization,
    actor: Actor,
    *,
    provider: str,
    name: str,
    config: dict[str, Any],
    credentials: dict[str, Any] | None = None,
    interval_hours: int = 6,
    enabled: bool = True,
) -> Integration:
    """Add an integration (``integration.created``). Without credentials it can still be
    saved, to be completed later; it is first due to run straight away."""
    chosen = provider_for(provider)
    name = _clean_name(name)
    interval_hours = _clean_interval(interval_hours)
    clean_config = validate_config(chosen, config)
    sealed = (
        crypto.encrypt(json.dumps(validate_credentials(chosen, credentials))) if credentials else ""
    )
    now = timezone.now()
    with organization_scope(org):
        if Integration.objects.filter(organization=org, name=name).exists():
            raise Conflict(f"An integration named {name!r} already exists.", field="name")
        integration = Integration(
            organization=org,
            provider=chosen.key,
            name=name,
            config=clean_config,
            credentials_encrypted=sealed,
            credentials_set_at=now if sealed else None,
            interval_hours=interval_hours,
            enabled=bool(enabled),
            next_run_at=now,
        )
        try:
            with transaction.atomic():
                integration.save()
                activity.record(org, actor, "integration.created", integration, {
                    "provider": chosen.key, "name": name, "config": clean_config,
                    "interval_hours": interval_hours, "enabled": integration.enabled,
                    "credentials": "set" if sealed else "not set",
                })  # fmt: skip
        except IntegrityError:
            raise Conflict(f"An integration named {name!r} already exists.", field="name") from None
    return integration


def update_integration(
    org: Organization,
    actor: Actor,
    integration_id: Any,
    *,
    name: str | None = None,
    config: dict[str, Any] | None = None,
    interval_hours: int | None = None,
    enabled: bool | None = None,
) -> Integration:
    """Change what is given (``integration.updated`` with the old and new values)."""
    with organization_scope(org), transaction.atomic():
        integration = _get(org, integration_id, lock=True)
        proposed = {
            "name": None if name is None else _clean_name(name),
            "config": None
            if config is None
            else validate_config(provider_for(integration.provider), config),
            "interval_hours": None if interval_hours is None else _clean_interval(interval_hours),
            "enabled": None if enabled is None else bool(enabled),
        }
        changes = {
            key: [getattr(integration, key), value]
            for key, value in proposed.items()
            if value is not None and value != getattr(integration, key)
        }
        if not changes:
            return integration
        for key, (_, value) in changes.items():
            setattr(integration, key, value)
        if "interval_hours" in changes or "enabled" in changes:
            integration.next_run_at = _next_after_change(integration)
        _save(integration, [*changes, "next_run_at"])
        activity.record(org, actor, "integration.updated", integration, changes)
    return integration


def _next_after_change(integration: Integration) -> datetime:
    """Due one interval after the last run, or now when that moment has passed (a shorter
    interval, or re-enabling, takes effect at once)."""
    now = timezone.now()
    if integration.last_run_at is None:
        return now
    return max(now, integration.last_run_at + timedelta(hours=integration.interval_hours))


def replace_credentials(
    org: Organization, actor: Actor, integration_id: Any, credentials: dict[str, Any]
) -> Integration:
    """Validate and store new credentials (``integration.credentials_replaced``; the log
    says only that they changed)."""
    with organization_scope(org):
        integration = _get(org, integration_id)
        clean = validate_credentials(provider_for(integration.provider), credentials)
        with transaction.atomic():
            integration = _get(org, integration_id, lock=True)
            was_set = integration.has_credentials
            integration.credentials_encrypted = crypto.encrypt(json.dumps(clean))
            integration.credentials_set_at = timezone.now()
            integration.save(update_fields=["credentials_encrypted", "credentials_set_at"])
            action = (
                "integration.credentials_replaced" if was_set else "integration.credentials_set"
            )
            activity.record(org, actor, action, integration, {"credentials": "replaced"})
    return integration


def delete_integration(org: Organization, actor: Actor, integration_id: Any) -> None:
    """Remove the integration and its credentials (``integration.deleted``). Its runs and
    the history of its resources are kept; their open intervals are closed now, since
    nothing will observe them any more."""
    with organization_scope(org), transaction.atomic():
        integration = _get(org, integration_id, lock=True)
        now = timezone.now()
        closed = CheckInterval.objects.filter(
            organization=org, ended_at__isnull=True, resource__integration=integration
        ).update(ended_at=now)
        activity.record(org, actor, "integration.deleted", integration, {
            "provider": integration.provider, "name": integration.name,
            "intervals_closed": closed,
        })  # fmt: skip
        integration.delete()


# -- using the credentials ------------------------------------------------------------


@dataclass(frozen=True)
class RuntimeSettings:
    provider: Provider
    config: BaseModel
    credentials: BaseModel


def runtime_settings(integration: Integration) -> RuntimeSettings:
    """The provider with the integration's configuration and decrypted credentials, or a
    ``DomainError`` saying why it cannot run (no credentials, a key no longer configured,
    settings the provider no longer accepts)."""
    provider = provider_for(integration.provider)
    config = _parse(provider.config_schema, integration.config, "config")
    if integration.credentials_encrypted:
        try:
            data = json.loads(crypto.decrypt(integration.credentials_encrypted))
        except crypto.DecryptionError:
            raise DomainError(
                "The credentials cannot be decrypted with the configured keys "
                "(ZG_ENCRYPTION_KEY); replace them.",
                field="credentials",
            ) from None
    else:
        data = {}
    try:
        credentials = _parse(provider.credentials_schema, data, "credentials")
    except InvalidSettings:
        if not integration.credentials_encrypted:
            raise DomainError(
                "No credentials are set; add them first.", field="credentials"
            ) from None
        raise
    return RuntimeSettings(provider, config, credentials)


def credentials_ready(integration: Integration) -> bool:
    """Whether a run can start: credentials set, or the provider needs none."""
    if integration.has_credentials:
        return True
    try:
        provider_for(integration.provider).credentials_schema.model_validate({})
    except (SchemaValidationError, DomainError):
        return False
    return True


def test_connection(org: Organization, actor: Actor, integration_id: Any) -> ConnectionReport:
    """Ask the provider what works with these settings (``integration.connection_tested``
    with the outcome and any missing permission). A provider failure is the report's
    content, never an exception."""
    with organization_scope(org):
        integration = _get(org, integration_id)
        runtime = runtime_settings(integration)
        report = _ask_provider(runtime)
        activity.record(org, actor, "integration.connection_tested", integration, {
            "ok": report.ok, "missing_permissions": list(report.missing_permissions),
        })  # fmt: skip
    return report


def _ask_provider(runtime: RuntimeSettings) -> ConnectionReport:
    try:
        return runtime.provider.test_connection(runtime.config, runtime.credentials)
    except ProviderError as exc:
        missing = (exc.permission,) if exc.permission else ()
        return ConnectionReport(False, (("connect", False, exc.message),), missing)
    except Exception as exc:  # a provider bug must not become a 500 page
        logger.exception("test_connection of provider %s failed", runtime.provider.key)
        detail = f"unexpected error: {type(exc).__name__}"
        return ConnectionReport(False, (("connect", False, detail),))


# -- the worker's claim ---------------------------------------------------------------


def claim_ttl() -> timedelta:
    return timedelta(seconds=settings.CHECK_RUN_TIMEOUT) + CLAIM_GRACE


def claim(integration_id: int, worker: str, *, due_only: bool, now: datetime | None = None) -> bool:
    """Take the integration for ``worker`` with one conditional UPDATE: it succeeds (True)
    only when nobody holds it, or the holder's claim has expired, and — with
    ``due_only`` — the integration is due. Of two workers racing, exactly one wins."""
    now = now or timezone.now()
    free = Q(claimed_by="") | Q(claim_expires_at__isnull=True) | Q(claim_expires_at__lte=now)
    with scopes_disabled():
        rows = Integration.objects.filter(free, pk=integration_id)
        if due_only:
            rows = rows.filter(next_run_at__lte=now)
        return rows.update(claimed_by=worker[:200], claim_expires_at=now + claim_ttl()) == 1


def release(
    integration: Integration,
    worker: str,
    *,
    finished_at: datetime,
    status: str,
    summary: dict[str, Any],
) -> bool:
    """Give the claim back and schedule the next run; does nothing (False) when the claim
    is no longer ``worker``'s (it expired and another worker took it)."""
    with scopes_disabled():
        interval = (
            Integration.objects.filter(pk=integration.pk)
            .values_list("interval_hours", flat=True)
            .first()
        )
        if interval is None:  # deleted while running
            return False
        return bool(
            Integration.objects.filter(pk=integration.pk, claimed_by=worker[:200]).update(
                claimed_by="",
                claim_expires_at=None,
                next_run_at=finished_at + timedelta(hours=interval),
                last_run_at=finished_at,
                last_run_status=status,
                last_run_summary=summary,
            )
        )


def request_run(org: Organization, actor: Actor, integration_id: Any) -> Integration:
    """Make the integration due now (``integration.run_requested``); the caller enqueues
    the run. Refused while no credentials are set."""
    with organization_scope(org), transaction.atomic():
        integration = _get(org, integration_id, lock=True)
        if not credentials_ready(integration):
            raise DomainError("Set the credentials before running the checks.", field="credentials")
        integration.next_run_at = timezone.now()
        integration.save(update_fields=["next_run_at"])
        activity.record(org, actor, "integration.run_requested", integration, {})
    return integration


# -- key rotation ---------------------------------------------------------------------


@dataclass(frozen=True)
class RotationReport:
    rotated: int
    failed: tuple[str, ...]  # "org-slug/integration name" of credentials no key decrypts


def rotate_all_credentials(actor: Actor | None = None) -> RotationReport:
    """Re-encrypt every integration's credentials under the first configured key
    (``integration.credentials_rotated`` per integration). Credentials no configured key
    decrypts are left as they are and reported."""
    actor = actor or Actor.system("rotate-keys")
    rotated, failed = 0, []
    with scopes_disabled():
        rows = list(
            Integration.objects.exclude(credentials_encrypted="").select_related("organization")
        )
    for integration in rows:
        org = integration.organization
        try:
            sealed = crypto.rotate(integration.credentials_encrypted)
        except crypto.DecryptionError:
            failed.append(f"{org.slug}/{integration.name}")
            continue
        with organization_scope(org), transaction.atomic():
            # Only if nobody replaced the credentials since they were read: otherwise this
            # would put the old (perhaps compromised) secret back. The new one was already
            # written under the current key, so skipping it is correct.
            changed = Integration.objects.filter(
                organization=org,
                pk=integration.pk,
                credentials_encrypted=integration.credentials_encrypted,
            ).update(credentials_encrypted=sealed)
            if changed != 1:
                continue
            activity.record(org, actor, "integration.credentials_rotated", integration, {})
        rotated += 1
    return RotationReport(rotated, tuple(failed))
