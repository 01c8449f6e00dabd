"""Collect an AWS inventory: each service once per (account, region), in parallel.

``Inventory.data[service]`` is a list of *scope records*, one per (account, region) the
service was collected in (global services, IAM and S3, once per account with region ""):
``{"account": ..., "region": ..., **what the collector returned}``. A scope that failed is
``{"account": ..., "region": ..., "error": message, "permission": ..., "permanent": ...}``,
so the checks report ERROR for that scope alone and keep every other scope's verdicts.

``Inventory.failures`` names what failed: under the service's own key when the service
failed everywhere (``Inventory.has(service)`` is then false), and under
``"<service>:<account>:<region>"`` when only some scopes failed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from zgovern.integrations.aws.client import (
    AccountSession,
    CallCounter,
    ClientOptions,
    counting_as,
    new_session,
    translate,
)
from zgovern.integrations.aws.collectors import COLLECTORS, GLOBAL_SERVICES
from zgovern.integrations.aws.schemas import AwsConfig, AwsCredentials
from zgovern.integrations.base import Inventory, ProviderError

log = logging.getLogger(__name__)

WORKERS = 8
SERVICES = tuple(COLLECTORS)


@dataclass(frozen=True)
class Account:
    """An account to scan: its session, or why none could be had."""

    account_id: str
    session: AccountSession | None
    error: ProviderError | None = None


def collect(
    config: AwsConfig,
    credentials: AwsCredentials,
    services: Iterable[str] = SERVICES,
    *,
    options: ClientOptions | None = None,
    workers: int = WORKERS,
) -> Inventory:
    """Collect ``services`` in every configured account and region. Never raises for an
    AWS failure: what failed is in the scope records and ``Inventory.failures``."""
    wanted = _known(services)
    options = options or ClientOptions.from_settings()
    counter = CallCounter()
    base = AccountSession(
        new_session(
            credentials.access_key_id, credentials.secret_access_key, credentials.session_token
        ),
        options,
        counter,
    )
    records: dict[str, list[dict[str, Any]]] = {service: [] for service in wanted}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aws-collect") as pool:
        accounts = [pool.submit(_open, base, config, member) for member in _members(config)]
        tasks: list[Future] = []
        for future in as_completed(accounts):
            account = future.result()
            for service, region in _scopes(wanted, config.regions):
                tasks.append(pool.submit(_scope, service, region, account, config.regions))
        for task in as_completed(tasks):
            service, record = task.result()
            records[service].append(record)
    return _inventory(records, counter)


def _known(services: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(services))
    unknown = [s for s in wanted if s not in COLLECTORS]
    if unknown:
        raise ValueError(f"unknown AWS services {unknown}; known: {', '.join(SERVICES)}")
    return wanted


def _members(config: AwsConfig) -> list[Any]:
    """None stands for the credentials' own account, then each member account."""
    own: list[Any] = [None] if config.include_own_account else []
    return own + list(config.accounts)


def _open(base: AccountSession, config: AwsConfig, member: Any) -> Account:
    home = config.regions[0]
    try:
        with counting_as("sts"):
            if member is None:
                return Account(base.caller_account(home), base)
            session = base.assume(member.role_arn, member.external_id, member.account_id, home)
            return Account(member.account_id, session)
    except ProviderError as error:
        return Account(member.account_id if member else "", None, error)
    except Exception as error:
        log.exception("opening an AWS account session failed")
        return Account(member.account_id if member else "", None, translate(error, "sts"))


def _scopes(services: Sequence[str], regions: Sequence[str]) -> list[tuple[str, str]]:
    scopes = []
    for service in services:
        if service in GLOBAL_SERVICES:
            scopes.append((service, ""))
        else:
            scopes.extend((service, region) for region in regions)
    return scopes


def _scope(
    service: str, region: str, account: Account, regions: Sequence[str]
) -> tuple[str, dict[str, Any]]:
    where = {"account": account.account_id, "region": region}
    if account.session is None:
        return service, {**where, **_failed(account.error)}
    try:
        with counting_as(service):
            payload = COLLECTORS[service](account.session, region or regions[0], regions)
    except ProviderError as error:
        return service, {**where, **_failed(error)}
    except Exception as error:
        # A bug or an answer we did not foresee: the scope fails, the run goes on.
        log.exception("collecting AWS %s in %s/%s failed", service, account.account_id, region)
        return service, {**where, **_failed(translate(error, service))}
    return service, {**where, **payload}


def _failed(error: ProviderError | None) -> dict[str, Any]:
    assert error is not None
    return {"error": error.message, "permission": error.permission, "permanent": error.permanent}


def _inventory(records: dict[str, list[dict[str, Any]]], counter: CallCounter) -> Inventory:
    inventory = Inventory(calls=dict(counter.counts))
    for service, scopes in records.items():
        scopes.sort(key=lambda r: (r["account"], r["region"]))
        inventory.data[service] = scopes
        failed = [r for r in scopes if "error" in r]
        if scopes and len(failed) == len(scopes):
            inventory.failures[service] = _error(service, failed)
            continue
        for record in failed:
            key = f"{service}:{record['account']}:{record['region']}"
            inventory.failures[key] = _error(service, [record])
    return inventory


def _error(service: str, failed: list[dict[str, Any]]) -> ProviderError:
    first = failed[0]
    where = " ".join(part for part in (first["account"], first["region"]) if part)
    message = f"{service} in {where}: {first['error']}" if where else first["error"]
    if len(failed) > 1:
        message += f" (and {len(failed) - 1} more account/region scopes)"
    return ProviderError(
        message, permanent=first["permanent"], service=service, permission=first["permission"]
    )
