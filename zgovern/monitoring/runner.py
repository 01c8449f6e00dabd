"""Run an integration's checks: claim, collect, evaluate in memory, record, release.

:func:`run_integration` is what the scheduled task, "Run now" and ``zgovern checks run``
call. Its guarantees:

- **One worker at a time.** The integration is claimed with one conditional UPDATE
  (:func:`zgovern.integrations.services.claim`); a worker that loses the race returns
  ``None`` without doing anything. The claim expires a little after the time limit, so a
  crashed worker's claim is taken over by the next one, which marks the abandoned run
  failed.
- **A provider error is never a PASS or a FAIL.** A service that could not be collected
  makes its checks ERROR (naming the reason and the missing permission) on the
  integration itself, and the intervals of the resources it holds stay untouched. An
  evaluator that raises, or returns something that is not a finding, makes its check
  ERROR the same way. Nothing else is affected.
- **A time limit** (``ZG_CHECK_RUN_TIMEOUT`` seconds): past it, the run stops, records
  what it had evaluated and ends ``timed_out``.
- **Everything recorded is consistent**: the intervals, the run's counts and the evidence
  snapshot commit in one transaction.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError, NotFound
from zgovern.integrations import services as integrations
from zgovern.integrations.base import Finding, Inventory, ProviderError, ResourceRef
from zgovern.integrations.models import Integration
from zgovern.monitoring import recorder, registry, signals, snapshot
from zgovern.monitoring.checkspec import CheckSpec
from zgovern.monitoring.models import CheckRun, CheckStatus, RunStatus, RunTrigger
from zgovern.tenancy import activity
from zgovern.tenancy.scoping import organization_scope

logger = logging.getLogger(__name__)
# progress(stage, done, total): what the run is doing, for a progress bar.
Progress = Callable[[str, int, int], None]
ERROR_TEXT_MAX = 500


class RunTimeout(Exception):
    """The run's time limit passed."""


@dataclass
class Outcome:
    """What the run produced before it was recorded."""

    observations: list[recorder.Observation] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    timed_out: bool = False
    fatal: bool = False  # nothing could be evaluated at all
    evaluated: int = 0  # checks whose evaluator ran over collected data
    # What the provider keeps of the collection besides check results (accounts, change
    # records), run inside the recording transaction; see ``Provider.persist``.
    persist: Callable[[], None] | None = None

    def error(self, scope: str, message: str, permission: str | None = None) -> None:
        self.errors.append(
            {"scope": scope, "message": message[:ERROR_TEXT_MAX], "permission": permission or ""}
        )


def worker_id() -> str:
    """Who holds a claim: host, process and thread, plus a nonce per run."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"


def selected_checks(provider_key: str, check_ids: Sequence[str] | None) -> list[CheckSpec]:
    """The provider's checks, or the named ones; ``DomainError`` naming an unknown id."""
    specs = list(registry.provider_checks(integrations.provider_for(provider_key)))
    if not check_ids:
        return specs
    by_id = {spec.id: spec for spec in specs}
    unknown = [check_id for check_id in check_ids if check_id not in by_id]
    if unknown:
        raise DomainError(
            f"Unknown check {', '.join(map(repr, unknown))} for provider {provider_key!r}.",
            field="check",
        )
    return [by_id[check_id] for check_id in dict.fromkeys(check_ids)]


def run_integration(
    integration_id: int,
    trigger: str,
    *,
    checks: Sequence[str] | None = None,
    progress: Progress | None = None,
    started_by: str = "",
) -> CheckRun | None:
    """Run the integration's checks (or ``checks``) now, if this worker can claim it.

    A scheduled or requested run (``schedule``/``manual``) only claims an integration that
    is due, so a second enqueue of the same run does nothing; a command-line run only
    needs it not to be running. Returns the finished run, or ``None`` when the claim
    failed. Raises ``NotFound``/``DomainError`` only for an unknown integration or check,
    before anything is written."""
    with scopes_disabled():
        integration = (
            Integration.objects.select_related("organization").filter(pk=integration_id).first()
        )
    if integration is None:
        raise NotFound("No such integration.")
    specs = selected_checks(integration.provider, checks)
    worker = worker_id()
    due_only = trigger in (RunTrigger.SCHEDULE, RunTrigger.MANUAL)
    if not integrations.claim(integration.pk, worker, due_only=due_only):
        return None
    org = integration.organization
    with organization_scope(org):
        # Read again under the claim: settings changed while waiting for it count.
        integration = (
            Integration.objects.select_related("organization").filter(pk=integration.pk).first()
        )
        if integration is None:  # deleted in the meantime
            return None
        run = None
        try:
            run = _start(integration, trigger, started_by, specs)
            _execute(integration, run, specs, progress or _quiet)
        except Exception as exc:  # never leave a run "running" or a claim held
            logger.exception("check run of integration %s failed", integration.pk)
            if run is not None:
                _fail(run, f"unexpected error: {type(exc).__name__}: {exc}")
        finally:
            finished = run.finished_at if run is not None else None
            integrations.release(
                integration, worker, finished_at=finished or timezone.now(),
                status=run.status if run is not None else RunStatus.FAILED,
                summary=summary(run) if run is not None else {},
            )  # fmt: skip
    return run


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def _start(integration: Integration, trigger: str, started_by: str, specs) -> CheckRun:
    abandoned = CheckRun.objects.filter(
        organization=integration.organization, integration=integration, status=RunStatus.RUNNING
    )
    now = timezone.now()
    with transaction.atomic():
        for stale in abandoned:
            stale.status, stale.finished_at = RunStatus.FAILED, now
            stale.errors = [*stale.errors, _entry("run", "the worker stopped before finishing")]
            stale.save(update_fields=["status", "finished_at", "errors"])
            activity.record(
                integration.organization, Actor.system("monitoring"), "monitoring.run_abandoned",
                stale, {"reason": "the worker stopped before finishing"},
            )  # fmt: skip
        return CheckRun.objects.create(
            organization=integration.organization,
            integration=integration,
            integration_name=integration.name,
            provider=integration.provider,
            trigger=trigger,
            started_by=(started_by or _default_starter(trigger))[:300],
            started_at=now,
            checks=[spec.id for spec in specs],
        )


def _default_starter(trigger: str) -> str:
    return {RunTrigger.SCHEDULE: "schedule", RunTrigger.CLI: "command line"}.get(trigger, "zgovern")


def _entry(scope: str, message: str, permission: str | None = None) -> dict[str, str]:
    return {"scope": scope, "message": message[:ERROR_TEXT_MAX], "permission": permission or ""}


def _execute(integration: Integration, run: CheckRun, specs: list[CheckSpec], progress: Progress):
    deadline = time.monotonic() + settings.CHECK_RUN_TIMEOUT
    outcome = Outcome()
    total = len(specs) + 2
    try:
        runtime = integrations.runtime_settings(integration)
    except DomainError as exc:
        outcome.fatal = True
        outcome.error("run", exc.message)
        return _finish(integration, run, outcome, progress, total)
    progress("collecting", 0, total)
    services = sorted({spec.service for spec in specs})
    try:
        inventory = _collect(runtime, services, deadline, integration)
    except RunTimeout:
        outcome.timed_out = True
        outcome.error("run", f"collection did not finish within {settings.CHECK_RUN_TIMEOUT} s")
        return _finish(integration, run, outcome, progress, total)
    except ProviderError as exc:
        outcome.fatal = True
        outcome.error(exc.service or "run", exc.message, exc.permission)
        return _finish(integration, run, outcome, progress, total)
    progress("evaluating", 1, total)
    _note_failures(inventory, services, outcome)
    evaluate(
        integration, specs, runtime.provider.evaluators(), inventory, outcome, deadline, progress
    )
    persist = getattr(runtime.provider, "persist", None)
    if persist is not None:
        outcome.persist = lambda: persist(integration, inventory, run.started_at)
    return _finish(integration, run, outcome, progress, total)


def _collect(
    runtime: integrations.RuntimeSettings,
    services: list[str],
    deadline: float,
    integration: Integration,
) -> Inventory:
    """``provider.collect`` in a daemon thread, abandoned when the deadline passes (a hung
    provider cannot be interrupted, but it no longer holds the run up). A built-in provider
    (``in_process``) reads zGovern's own records, so it collects in this thread, on this
    database connection and inside the organisation's scope."""
    if getattr(runtime.provider, "in_process", False):
        return _collect_in_process(runtime, services, integration)
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["inventory"] = runtime.provider.collect(
                runtime.config, runtime.credentials, services
            )
        except BaseException as exc:
            result["error"] = exc

    thread = threading.Thread(target=target, name="zgovern-collect", daemon=True)
    thread.start()
    thread.join(max(0.0, deadline - time.monotonic()))
    if thread.is_alive():
        raise RunTimeout
    if "error" in result:
        error = result["error"]
        if isinstance(error, ProviderError):
            raise error
        raise ProviderError(f"collection failed: {type(error).__name__}: {error}", permanent=False)
    inventory = result.get("inventory")
    if not isinstance(inventory, Inventory):
        raise ProviderError("the provider returned no inventory", permanent=False)
    return inventory


def _collect_in_process(
    runtime: integrations.RuntimeSettings, services: list[str], integration: Integration
) -> Inventory:
    try:
        inventory = runtime.provider.collect_org(integration.organization, services)
    except ProviderError:
        raise
    except Exception as exc:
        logger.exception("built-in collection of integration %s failed", integration.pk)
        raise ProviderError(
            f"collection failed: {type(exc).__name__}: {exc}", permanent=False
        ) from exc
    if not isinstance(inventory, Inventory):
        raise ProviderError("the provider returned no inventory", permanent=False)
    return inventory


def _note_failures(inventory: Inventory, services: list[str], outcome: Outcome) -> None:
    for key, error in sorted(inventory.failures.items()):
        outcome.error(key, error.message, error.permission)
    for service in services:
        if service not in inventory.data and service not in inventory.failures:
            outcome.error(service, "the provider did not collect this service")


def evaluate(
    integration: Integration,
    specs: Iterable[CheckSpec],
    evaluators: dict,
    inventory: Inventory,
    outcome: Outcome,
    deadline: float,
    progress: Progress = _quiet,
) -> None:
    """Evaluate each check over ``inventory`` into ``outcome.observations``; stops (with
    ``outcome.timed_out``) when the deadline passes between two checks."""
    specs = list(specs)
    for index, spec in enumerate(specs):
        if time.monotonic() > deadline:
            outcome.timed_out = True
            outcome.error(
                "run", f"stopped after {index} of {len(specs)} checks: time limit reached"
            )
            return
        outcome.observations.append(_observe(integration, spec, evaluators, inventory, outcome))
        progress(spec.id, index + 2, len(specs) + 2)


def _observe(
    integration, spec: CheckSpec, evaluators, inventory: Inventory, outcome
) -> recorder.Observation:
    failure = _service_failure(spec, inventory)
    if failure is not None:
        return _check_error(integration, spec, failure)
    try:
        findings = _validated(spec, evaluators[spec.id](inventory))
    except Exception as exc:
        logger.exception("check %s raised on integration %s", spec.id, integration.pk)
        message = f"the check could not be evaluated ({type(exc).__name__}: {exc})"
        outcome.error(spec.id, message)
        return _check_error(integration, spec, message)
    outcome.evaluated += 1
    partial = any(key.startswith(f"{spec.service}:") for key in inventory.failures)
    return recorder.Observation(spec.id, findings, complete=not partial)


def _service_failure(spec: CheckSpec, inventory: Inventory) -> str | None:
    error = inventory.failures.get(spec.service)
    if error is not None:
        permission = error.permission or spec.permission
        reason = f"{spec.service} could not be collected: {error.message}"
        return f"{reason} (needs {permission})" if permission else reason
    if spec.service not in inventory.data:
        return f"{spec.service} was not collected (needs {spec.permission})"
    return None


def _check_error(integration: Integration, spec: CheckSpec, reason: str) -> recorder.Observation:
    """An ERROR about the check as a whole, held by the integration itself."""
    finding = Finding(integration_ref(integration), CheckStatus.ERROR, reason)
    return recorder.Observation(spec.id, [finding], complete=False)


def integration_ref(integration: Integration) -> ResourceRef:
    return ResourceRef(
        resource_type=f"{integration.provider}.integration",
        external_id=f"integration:{integration.pk}",
        name=integration.name,
    )


def _validated(spec: CheckSpec, produced: Iterable[Any]) -> list[Finding]:
    findings = list(produced)
    for finding in findings:
        if not isinstance(finding, Finding) or not isinstance(finding.resource, ResourceRef):
            raise TypeError(f"the evaluator returned {type(finding).__name__}, not a Finding")
        if finding.status not in CheckStatus.values:
            raise ValueError(f"unknown status {finding.status!r}")
        if not str(finding.resource.external_id or "").strip():
            raise ValueError("a finding names no resource id")
    return findings


def _finish(
    integration: Integration, run: CheckRun, outcome: Outcome, progress, total: int
) -> None:
    progress("recording", total - 1, total)
    org = integration.organization
    with transaction.atomic():
        stats = recorder.record(
            org, provider=integration.provider, integration_id=integration.pk,
            observations=outcome.observations, at=run.started_at,
        )  # fmt: skip
        if outcome.persist is not None:
            outcome.persist()
        _fill(run, outcome, stats)
        run.evidence_ids = snapshot.add_run_evidence(run, integration.config, outcome.observations)
        run.save()
        activity.record(
            org, Actor.system("monitoring"), "monitoring.run_finished", run, summary(run)
        )
        transaction.on_commit(lambda: _announce(run))
    progress("done", total, total)


def _announce(run: CheckRun) -> None:
    """Tell receivers (alerts) the run is recorded; their errors are logged, not raised."""
    for receiver, result in signals.run_recorded.send_robust(sender=CheckRun, run=run):
        if isinstance(result, Exception):
            logger.warning("run %s: receiver %r failed: %s", run.pk, receiver, result)


def _fill(run: CheckRun, outcome: Outcome, stats: recorder.RecordStats) -> None:
    apply_stats(run, stats)
    run.errors = [*run.errors, *outcome.errors]
    run.finished_at = timezone.now()
    run.duration_seconds = (run.finished_at - run.started_at).total_seconds()
    run.status = _status(outcome)


def apply_stats(run: CheckRun, stats: recorder.RecordStats) -> None:
    """Copy what the recorder counted onto the run."""
    counts = stats.counts
    run.passed, run.failed = counts[CheckStatus.PASS], counts[CheckStatus.FAIL]
    run.errored, run.skipped = counts[CheckStatus.ERROR], counts[CheckStatus.SKIPPED]
    run.not_applicable = counts[CheckStatus.NOT_APPLICABLE]
    run.resources_seen = stats.resources_seen
    run.intervals_opened, run.intervals_closed = stats.opened, stats.closed


def _status(outcome: Outcome) -> str:
    if outcome.timed_out:
        return RunStatus.TIMED_OUT
    if outcome.fatal:
        return RunStatus.FAILED
    if outcome.errors:
        return RunStatus.PARTIAL if outcome.evaluated else RunStatus.FAILED
    return RunStatus.SUCCEEDED


def _fail(run: CheckRun, message: str) -> None:
    run.status = RunStatus.FAILED
    run.finished_at = timezone.now()
    run.duration_seconds = (run.finished_at - run.started_at).total_seconds()
    run.errors = [*run.errors, _entry("run", message)]
    with transaction.atomic():
        run.save(update_fields=["status", "finished_at", "duration_seconds", "errors"])
        activity.record(
            run.organization, Actor.system("monitoring"), "monitoring.run_failed", run,
            {"error": message[:500]},
        )  # fmt: skip


def summary(run: CheckRun) -> dict[str, Any]:
    """The figures an integration keeps of its last run."""
    return {
        "run_id": run.pk,
        "status": run.status,
        "counts": {str(key): value for key, value in run.counts().items()},
        "errors": len(run.errors),
        "duration_seconds": run.duration_seconds,
    }
