"""The GitHub checks: id -> evaluator over the collected inventory, one finding per
resource (the organisation, a user, a repository, a pull request). Their metadata is data,
in ``checks.yaml``. A repository or pull request whose details could not be read is an
ERROR finding naming why, never a pass or a fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from zgovern.integrations.base import Evaluator, Finding, Inventory, ResourceRef

CHECKS_FILE = str(Path(__file__).with_name("checks.yaml"))
# monitoring.models.CheckStatus values (kept as text so providers do not import Django models).
PASS, FAIL, ERROR, NOT_APPLICABLE = "pass", "fail", "error", "not_applicable"


def org_two_factor_required(inventory: Inventory) -> Iterator[Finding]:
    org = inventory.data.get("org") or {}
    login = org.get("login") or "organisation"
    ref = ResourceRef("github.org", login, login, account=login)
    required = org.get("two_factor_requirement_enabled")
    if required is True:
        yield Finding(ref, PASS, f"organisation {login} requires two-factor authentication")
    elif required is False:
        yield Finding(ref, FAIL, f"organisation {login} does not require two-factor authentication")
    else:
        yield Finding(
            ref, ERROR, f"GitHub did not show whether {login} requires two-factor authentication "
            "(only an organisation owner's token sees it)",
        )  # fmt: skip


def members_two_factor(inventory: Inventory) -> Iterator[Finding]:
    data = inventory.data.get("members") or {}
    groups = (("member", data.get("members") or [], set(data.get("no_2fa") or [])),
              ("outside collaborator", data.get("outside") or [],
               set(data.get("outside_no_2fa") or [])))  # fmt: skip
    for kind, users, without in groups:
        for user in users:
            ref = _user_ref(user)
            if user["login"] in without:
                yield Finding(ref, FAIL, f"{kind} {user['login']} has no two-factor authentication")
            else:
                yield Finding(ref, PASS, f"{kind} {user['login']} has two-factor authentication")


def repos_branch_protection(inventory: Inventory) -> Iterator[Finding]:
    for repo in inventory.data.get("repos") or []:
        ref, early = _repo(repo)
        if early is not None:
            yield early
            continue
        blocked, how = force_push_blocked(repo)
        branch = repo["default_branch"]
        if blocked:
            yield Finding(ref, PASS, f"{branch} of {repo['name']} blocks force pushes ({how})")
        elif how:
            yield Finding(ref, FAIL, f"{branch} of {repo['name']} allows force pushes ({how})")
        else:
            yield Finding(ref, FAIL, f"{branch} of {repo['name']} has no protection or ruleset")


def repos_required_reviews(inventory: Inventory) -> Iterator[Finding]:
    for repo in inventory.data.get("repos") or []:
        ref, early = _repo(repo)
        if early is not None:
            yield early
            continue
        count, how = required_approvals(repo)
        branch = repo["default_branch"]
        if count >= 1:
            yield Finding(ref, PASS, f"{branch} of {repo['name']} requires {count} approving "
                          f"review{'s' if count > 1 else ''} ({how})")  # fmt: skip
        else:
            yield Finding(ref, FAIL, f"{branch} of {repo['name']} can be merged without an "
                          "approving review")  # fmt: skip


def pulls_approved(inventory: Inventory) -> Iterator[Finding]:
    for pull in inventory.data.get("pulls") or []:
        name = f"{pull['repository']}#{pull['number']}" if pull.get("number") else pull[
            "repository"]  # fmt: skip
        ref = ResourceRef("github.pull_request", name, name)
        if "error" in pull:
            yield Finding(ref, ERROR, f"{name}: {pull['error']}")
            continue
        author, approvers = pull["author"], pull["approvers"]
        others = [a for a in approvers if a.lower() != author.lower()]
        if others:
            yield Finding(ref, PASS, f"{name} by {author} approved by {', '.join(others)}")
        elif approvers:
            yield Finding(ref, FAIL, f"{name} by {author} was approved only by its author")
        else:
            yield Finding(ref, FAIL, f"{name} by {author} was merged without an approving review")


# ----------------------------------------------------------------------------- helpers


def force_push_blocked(repo: dict[str, Any]) -> tuple[bool, str]:
    """Whether force pushes to the default branch are blocked, and by what ("" when the
    branch has neither protection nor a ruleset)."""
    rules = {rule.get("type") for rule in repo.get("rules") or [] if isinstance(rule, dict)}
    if "non_fast_forward" in rules:
        return True, "ruleset"
    protection = repo.get("protection")
    if isinstance(protection, dict):
        allowed = (protection.get("allow_force_pushes") or {}).get("enabled")
        return allowed is not True, "branch protection"
    return False, "ruleset" if rules else ""


def required_approvals(repo: dict[str, Any]) -> tuple[int, str]:
    """The most approving reviews any protection or ruleset requires, and which."""
    best, how = 0, ""
    for rule in repo.get("rules") or []:
        if isinstance(rule, dict) and rule.get("type") == "pull_request":
            count = _count((rule.get("parameters") or {}).get("required_approving_review_count"))
            if count > best:
                best, how = count, "ruleset"
    protection = repo.get("protection")
    if isinstance(protection, dict):
        reviews = protection.get("required_pull_request_reviews") or {}
        count = _count(reviews.get("required_approving_review_count"))
        if count > best:
            best, how = count, "branch protection"
    return best, how


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _user_ref(user: dict[str, Any]) -> ResourceRef:
    login = user["login"]
    return ResourceRef("github.user", str(user.get("id") or login), login)


def _repo(repo: dict[str, Any]) -> tuple[ResourceRef, Finding | None]:
    """The repository's ref, and the finding that ends its evaluation early, if any."""
    ref = ResourceRef("github.repository", repo["full_name"], repo["full_name"])
    if "error" in repo:
        return ref, Finding(ref, ERROR, f"{repo['full_name']}: {repo['error']}")
    if repo.get("empty") or not repo.get("default_branch"):
        return ref, Finding(ref, NOT_APPLICABLE, f"{repo['full_name']} has no branch yet")
    return ref, None


EVALUATORS: dict[str, Evaluator] = {
    "github.org.two_factor_required": org_two_factor_required,
    "github.members.two_factor": members_two_factor,
    "github.repos.branch_protection": repos_branch_protection,
    "github.repos.required_reviews": repos_required_reviews,
    "github.pulls.approved": pulls_approved,
}


def evaluators() -> dict[str, Evaluator]:
    return dict(EVALUATORS)
