"""Collect a GitHub organisation's inventory, each service once per run.

``Inventory.data``:

- ``org``: ``{"login", "two_factor_requirement_enabled"}`` (the flag is None when GitHub
  does not show it, i.e. the token is not an owner's);
- ``members``: ``{"members": [...], "admins": [logins], "no_2fa": [logins],
  "outside": [...], "outside_no_2fa": [logins]}`` — users as GitHub lists them (``login``,
  ``id``, ``type``, ``site_admin``);
- ``repos``: one record per non-archived repository: ``{"name", "full_name",
  "default_branch", "private", "html_url", "protection": dict | None, "rules": [...]}``,
  or ``{"name", ..., "error": message}`` when its branch settings could not be read;
- ``pulls``: one record per pull request merged into a default branch within the window:
  ``{"repository", "number", "title", "url", "author", "merged_at", "merged_by",
  "approvers", "checks_passed", "head_sha"}``, or with ``"error"`` when its reviews could
  not be read; ``pulls_window`` holds the window's ``since`` and ``until`` times.

A whole service that fails is in ``Inventory.failures[service]``; one repository that
fails is under ``"repos:<name>"`` / ``"pulls:<name>"`` (partial: the others keep their
verdicts). Outside collaborators that cannot be listed are ``"members:outside"``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.utils import timezone

from zgovern.integrations.base import Inventory, ProviderError
from zgovern.integrations.github.client import GithubClient, parse_time
from zgovern.integrations.github.schemas import GithubConfig, GithubCredentials

log = logging.getLogger(__name__)

SERVICES = ("org", "members", "repos", "pulls")
WORKERS = 6
FAILED_CHECKS = {"failure", "cancelled", "timed_out", "action_required", "startup_failure"}
PASSED_CHECKS = {"success", "neutral", "skipped"}


def collect(
    config: GithubConfig,
    credentials: GithubCredentials,
    services: Iterable[str] = SERVICES,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] | None = None,
    now: datetime | None = None,
    workers: int = WORKERS,
) -> Inventory:
    """Collect ``services``; never raises for a GitHub failure (see the module doc)."""
    wanted = [s for s in SERVICES if s in set(services)]
    client = GithubClient(config, credentials, transport=transport, sleep=sleep)
    inventory = Inventory()
    try:
        if "org" in wanted:
            _guard(inventory, "org", lambda: _org(client))
        if "members" in wanted:
            _guard(inventory, "members", lambda: _members(client, inventory))
        if "repos" in wanted or "pulls" in wanted:
            repos = _guard(inventory, "repo_list", client.repositories)
            _repositories(client, config, inventory, wanted, repos, now, workers)
    finally:
        inventory.calls["github"] = client.calls
        client.close()
    return inventory


def _guard(inventory: Inventory, service: str, fetch: Callable[[], Any]) -> Any:
    """Store what ``fetch`` returns under ``service``, or record the failure."""
    try:
        value = fetch()
    except ProviderError as error:
        log.info("github %s could not be collected: %s", service, error.message)
        inventory.failures[service] = error
        return None
    if service != "repo_list":
        inventory.data[service] = value
    return value


def _org(client: GithubClient) -> dict[str, Any]:
    body = client.organization()
    flag = body.get("two_factor_requirement_enabled")
    return {
        "login": str(body.get("login") or client.org),
        "two_factor_requirement_enabled": flag if isinstance(flag, bool) else None,
    }


def _members(client: GithubClient, inventory: Inventory) -> dict[str, Any]:
    data = {
        "members": [_user(u) for u in client.members() if u.get("login")],
        "admins": _logins(client.members(role="admin")),
        "no_2fa": _logins(client.members(two_factor_disabled=True)),
        "outside": [],
        "outside_no_2fa": [],
    }
    try:
        data["outside"] = [_user(u) for u in client.outside_collaborators() if u.get("login")]
        data["outside_no_2fa"] = _logins(client.outside_collaborators(two_factor_disabled=True))
    except ProviderError as error:
        # The members' verdicts stand; only the outside collaborators are unknown.
        inventory.failures["members:outside"] = error
        data["outside"] = data["outside_no_2fa"] = []
    return data


def _user(user: dict[str, Any]) -> dict[str, Any]:
    return {
        "login": str(user["login"]),
        "id": user.get("id"),
        "type": user.get("type") or "User",
        "site_admin": bool(user.get("site_admin")),
    }


def _logins(users: list[dict]) -> list[str]:
    return sorted({str(u["login"]) for u in users if u.get("login")})


def _repositories(client, config, inventory, wanted, repos, now, workers) -> None:
    if repos is None:  # the list itself failed: every repository service failed
        error = inventory.failures.pop("repo_list")
        for service in ("repos", "pulls"):
            if service in wanted:
                inventory.failures[service] = error
        return
    active = [r for r in repos if r.get("name") and not r.get("archived") and not r.get("disabled")]
    until = now or timezone.now()
    since = until - timedelta(days=config.change_window_days)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="github-collect") as pool:
        if "repos" in wanted:
            records = list(pool.map(lambda r: _branch_settings(client, r), active))
            inventory.data["repos"] = records
            for record in records:
                if "error" in record:
                    inventory.failures[f"repos:{record['name']}"] = record["exception"]
                    del record["exception"]
        if "pulls" in wanted:
            per_repo = list(pool.map(lambda r: _pulls(client, config, r, since), active))
            inventory.data["pulls"] = [pull for pulls in per_repo for pull in pulls]
            inventory.data["pulls_window"] = {"since": since, "until": until}
            for pull in inventory.data["pulls"]:
                if "exception" in pull:
                    inventory.failures[f"pulls:{pull['repository']}"] = pull.pop("exception")


def _repo_base(repo: dict[str, Any], owner: str) -> dict[str, Any]:
    return {
        "name": str(repo["name"]),
        "full_name": str(repo.get("full_name") or f"{owner}/{repo['name']}"),
        "default_branch": str(repo.get("default_branch") or ""),
        "private": bool(repo.get("private")),
        "html_url": str(repo.get("html_url") or ""),
    }


def _branch_settings(client: GithubClient, repo: dict[str, Any]) -> dict[str, Any]:
    record = _repo_base(repo, client.org)
    branch = record["default_branch"]
    if not branch:  # an empty repository has no branch to protect
        return {**record, "protection": None, "rules": [], "empty": True}
    try:
        record["protection"] = client.branch_protection(record["name"], branch)
        record["rules"] = client.branch_rules(record["name"], branch)
    except ProviderError as error:
        return {**record, "error": error.message, "permission": error.permission,
                "exception": error}  # fmt: skip
    return record


def _pulls(client, config, repo: dict[str, Any], since: datetime) -> list[dict[str, Any]]:
    base = _repo_base(repo, client.org)
    if not base["default_branch"]:
        return []
    try:
        pulls = list(client.merged_pulls(base["name"], base["default_branch"], since))
    except ProviderError as error:
        return [{"repository": base["full_name"], "number": 0, "error": error.message,
                 "exception": error}]  # fmt: skip
    return [_pull(client, config, base, pull) for pull in pulls if _number(pull)]


def _number(pull: dict[str, Any]) -> int:
    number = pull.get("number")
    return number if isinstance(number, int) and number > 0 else 0


def _pull(client, config, repo: dict[str, Any], pull: dict[str, Any]) -> dict[str, Any]:
    author = _login(pull.get("user"))
    sha = str(pull.get("merge_commit_sha") or "")
    record = {
        "repository": repo["full_name"], "number": _number(pull),
        "title": _clean(pull.get("title"), 500) or f"#{_number(pull)}",
        "url": str(pull.get("html_url") or ""), "author": author or "unknown",
        "merged_at": pull.get("merged_at"), "merged_by": _login(pull.get("merged_by")),
        "head_sha": sha, "approvers": [], "checks_passed": None,
    }  # fmt: skip
    try:
        record["approvers"] = approvers(client.reviews(repo["name"], record["number"]))
    except ProviderError as error:
        record.update(error=error.message, permission=error.permission)
        return record
    if config.check_statuses and sha:
        record["checks_passed"] = _checks_passed(client, repo["name"], sha)
    return record


def _login(user: Any) -> str:
    return _clean(user.get("login"), 100) if isinstance(user, dict) else ""


def _clean(value: Any, limit: int) -> str:
    """Text as storable: no NUL, no surrounding blanks, at most ``limit`` characters."""
    return str(value or "").replace("\x00", "").strip()[:limit]


def approvers(reviews: list[dict]) -> list[str]:
    """Logins whose latest deciding review approves: a later "changes requested" or a
    dismissal takes an approval back; comments change nothing."""
    latest: dict[str, str] = {}
    ordered = sorted(reviews, key=lambda r: str(r.get("submitted_at") or ""))
    for review in ordered:
        login, state = _login(review.get("user")), str(review.get("state") or "")
        if login and state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
            latest[login] = state
    return sorted(login for login, state in latest.items() if state == "APPROVED")


def _checks_passed(client: GithubClient, repo: str, sha: str) -> bool | None:
    """True when every commit status and check run of the merge commit passed, False
    when one failed, None when there were none or they could not be read."""
    try:
        status = client.combined_status(repo, sha)
        runs = client.check_runs(repo, sha)
    except ProviderError:
        return None  # "where cheap": a token without Checks access leaves it unknown
    states = [str(s.get("state")) for s in status.get("statuses") or [] if isinstance(s, dict)]
    conclusions = [str(r.get("conclusion")) for r in runs if r.get("status") == "completed"]
    if any(s in ("failure", "error") for s in states) or any(
        c in FAILED_CHECKS for c in conclusions
    ):
        return False
    if not states and not conclusions:
        return None
    if all(s == "success" for s in states) and all(c in PASSED_CHECKS for c in conclusions):
        return True
    return None  # something still pending


__all__ = ["SERVICES", "approvers", "collect", "parse_time"]
