"""Collection against recorded GitHub responses: every page read, the pull requests
window respected, and each fault (rate limit, denied scope, a missing protection, missing
fields, a failed members call) handled without losing the rest."""

from __future__ import annotations

import pytest

from zgovern.integrations.base import Inventory
from zgovern.integrations.github import checks
from zgovern.integrations.github.sync import approvers, collect
from zgovern.integrations.github.tests.replay import (
    CONFIG,
    CREDENTIALS,
    NOW,
    World,
    no_sleep,
    recorded,
)


def _collect(world: World, services=("org", "members", "repos", "pulls"), **kwargs) -> Inventory:
    sleep, _ = no_sleep()
    return collect(CONFIG, CREDENTIALS, services, transport=world.transport(), sleep=sleep,
                   now=NOW, **kwargs)  # fmt: skip


def _verdicts(check_id: str, inventory: Inventory) -> dict[str, tuple[str, str]]:
    return {f.resource.name: (f.status, f.reason)
            for f in checks.EVALUATORS[check_id](inventory)}  # fmt: skip


def test_collects_every_service_and_follows_pages_to_the_end():
    world = World()
    inventory = _collect(world)
    assert inventory.failures == {}
    members = inventory.data["members"]
    # Two pages of members, both read.
    assert [m["login"] for m in members["members"]] == [
        "olivia-acme", "adam-acme", "maria-acme", "eric-acme", "raj-acme"]  # fmt: skip
    assert "/orgs/acme/members?page=2" in world.paths()
    assert members["admins"] == ["adam-acme", "olivia-acme"]
    assert members["no_2fa"] == ["eric-acme"] and members["outside_no_2fa"] == ["carl-ext"]
    # The archived repository is not active, so not collected.
    assert [r["name"] for r in inventory.data["repos"]] == ["api", "web", "scripts", "docs"]
    assert inventory.calls["github"] == len(world.requests)


def test_pull_requests_stop_paging_once_older_than_the_window():
    world = World()
    pulls = _collect(world, ["pulls"]).data["pulls"]
    # 41, 40 and 38 merged in the window; 39 was closed unmerged; 37 is older.
    assert [(p["repository"], p["number"]) for p in pulls] == [
        ("acme/api", 41), ("acme/api", 40), ("acme/api", 38)]  # fmt: skip
    assert "/repos/acme/api/pulls?page=3" not in world.paths()
    by_number = {p["number"]: p for p in pulls}
    assert by_number[41]["approvers"] == ["raj-acme"]  # changes requested, then approved
    assert by_number[40]["approvers"] == []  # the approval was dismissed
    assert by_number[38]["approvers"] == ["adam-acme"]  # the author's own
    assert [by_number[n]["checks_passed"] for n in (41, 40, 38)] == [True, False, None]
    assert by_number[41]["author"] == "maria-acme"
    assert by_number[41]["url"] == "https://github.com/acme/api/pull/41"


def test_checks_over_the_recorded_organisation():
    inventory = _collect(World())
    assert _verdicts("github.org.two_factor_required", inventory)["acme"][0] == "fail"
    people = _verdicts("github.members.two_factor", inventory)
    assert people["eric-acme"] == ("fail", "member eric-acme has no two-factor authentication")
    assert people["carl-ext"] == (
        "fail", "outside collaborator carl-ext has no two-factor authentication")  # fmt: skip
    assert people["olivia-acme"][0] == people["vendor-bot-ext"][0] == "pass"
    assert len(people) == 7  # one finding per user
    force = _verdicts("github.repos.branch_protection", inventory)
    assert force["acme/api"][0] == force["acme/web"][0] == "pass"
    assert force["acme/scripts"] == ("fail", "main of scripts has no protection or ruleset")
    assert force["acme/docs"] == ("fail", "main of docs allows force pushes (branch protection)")
    reviews = _verdicts("github.repos.required_reviews", inventory)
    assert reviews["acme/api"] == (
        "pass", "main of api requires 1 approving review (branch protection)")  # fmt: skip
    assert reviews["acme/web"] == ("pass", "main of web requires 2 approving reviews (ruleset)")
    assert reviews["acme/scripts"][0] == reviews["acme/docs"][0] == "fail"
    pulls = _verdicts("github.pulls.approved", inventory)
    assert pulls["acme/api#41"][0] == "pass"
    assert pulls["acme/api#40"] == (
        "fail", "acme/api#40 by eric-acme was merged without an approving review")  # fmt: skip
    assert pulls["acme/api#38"] == (
        "fail", "acme/api#38 by adam-acme was approved only by its author")  # fmt: skip


def test_a_rate_limit_waits_as_long_as_retry_after_says():
    world = World()
    world.queue("/orgs/acme/repos", 429, {"message": "rate limited"}, {"Retry-After": "9"})
    world.queue("/orgs/acme", 403, {"message": "API rate limit exceeded"},
                {"x-ratelimit-remaining": "0", "retry-after": "3"})  # fmt: skip
    sleep, waits = no_sleep()
    inventory = collect(CONFIG, CREDENTIALS, ["org", "repos"], transport=world.transport(),
                        sleep=sleep, now=NOW)  # fmt: skip
    assert inventory.failures == {}
    assert sorted(waits) == [3.0, 9.0]
    assert inventory.data["org"]["login"] == "acme"


def test_a_secondary_rate_limit_403_with_retry_after_is_waited_out_not_a_scope_error():
    world = World()
    world.queue("/orgs/acme", 403, recorded("error_rate_limited.json"),
                {"retry-after": "60", "x-ratelimit-remaining": "4000"})  # fmt: skip
    sleep, waits = no_sleep()
    inventory = collect(CONFIG, CREDENTIALS, ["org"], transport=world.transport(), sleep=sleep,
                        now=NOW)  # fmt: skip
    assert inventory.failures == {} and waits == [60.0]


def test_a_rate_limit_that_outlasts_the_retries_is_transient():
    world = World()
    for _ in range(5):
        world.queue("/orgs/acme", 429, {"message": "slow down"}, {"Retry-After": "1"})
    sleep, waits = no_sleep()
    inventory = collect(CONFIG, CREDENTIALS, ["org"], transport=world.transport(), sleep=sleep,
                        now=NOW)  # fmt: skip
    error = inventory.failures["org"]
    assert not error.permanent and "after 5 attempts" in error.message
    assert waits == [1.0] * 4


@pytest.mark.parametrize(
    ("route", "status", "body", "service", "scope"),
    [
        ("/orgs/acme/members", 401, "error_401.json", "members", "read:org"),
        ("/orgs/acme/members?role=admin", 403, "error_403_members.json", "members", "read:org"),
        ("/orgs/acme/members?filter=2fa_disabled", 422, "error_422_owner_filter.json",
         "members", "owner"),
        ("/orgs/acme/repos", 403, "error_403_members.json", "repos", "repo"),
    ],
)  # fmt: skip
def test_a_denied_call_fails_its_service_naming_the_scope(route, status, body, service, scope):
    world = World()
    world.answer(route, status, recorded(body))
    inventory = _collect(world)
    error = inventory.failures[service]
    assert error.permanent and scope in (error.permission or "")
    assert scope in error.message
    # Every other service is kept.
    assert inventory.has("org") and not inventory.has(service)


def test_a_repository_whose_settings_are_denied_is_an_error_for_it_alone():
    world = World()
    world.answer("/repos/acme/web/rules/branches/main", 403, {"message": "Must have admin"})
    inventory = _collect(world, ["repos"])
    assert set(inventory.failures) == {"repos:web"}
    verdicts = _verdicts("github.repos.branch_protection", inventory)
    assert verdicts["acme/web"][0] == "error"
    assert "needs repo [Metadata: read]" in verdicts["acme/web"][1]
    assert verdicts["acme/api"][0] == "pass"


def test_a_denied_branch_protection_names_the_administration_permission():
    world = World()
    world.answer("/repos/acme/api/branches/main/protection", 403, {"message": "Must have admin"})
    inventory = _collect(world, ["repos"])
    assert inventory.failures["repos:api"].permission == "repo [Administration: read]"


def test_enterprise_server_next_links_keep_their_scope():
    from zgovern.integrations.github.client import GithubHttp

    http = GithubHttp(base_url="https://git.example/api/v3", service="github")
    http.base_path = "/api/v3"
    assert http.scope_for("https://git.example/api/v3/orgs/acme/members?page=2") == (
        "read:org [Members: read]")  # fmt: skip
    assert http.scope_for("/repos/acme/api/commits/abc/status") == (
        "repo [Commit statuses, Checks: read]")  # fmt: skip


def test_missing_fields_are_handled_not_crashed_on():
    world = World()
    world.answer("/orgs/acme", 200, {"login": "acme"})  # not an owner: no 2FA flag
    world.answer("/orgs/acme/members", 200, [{"login": "ann"}, {"id": 7}, "junk"])
    world.answer("/orgs/acme/repos", 200, [
        {"name": "bare"}, {"full_name": "acme/nameless"},
        {"name": "api", "default_branch": "main"}])  # fmt: skip
    world.answer("/repos/acme/api/pulls", 200, [
        {"number": 41, "merged_at": "2026-11-27T15:00:00Z"},
        {"number": "x", "merged_at": "2026-11-27T15:00:00Z"},
        {"number": 42, "title": " \x00 ", "merged_at": "2026-11-27T16:00:00Z"}])  # fmt: skip
    world.answer("/repos/acme/api/pulls/41/reviews", 200, [{"state": "APPROVED"}, {}])
    inventory = _collect(world)
    assert inventory.failures == {}
    org = _verdicts("github.org.two_factor_required", inventory)["acme"]
    assert org[0] == "error" and "owner" in org[1]
    assert [m["login"] for m in inventory.data["members"]["members"]] == ["ann"]
    [bare, _api] = inventory.data["repos"]
    assert bare["default_branch"] == "" and bare["empty"]
    assert _verdicts("github.repos.required_reviews", inventory)["acme/bare"][0] == (
        "not_applicable")  # fmt: skip
    pull, blank = inventory.data["pulls"]
    assert (pull["author"], pull["title"], pull["approvers"]) == ("unknown", "#41", [])
    assert blank["title"] == "#42"


def test_a_body_that_is_not_what_github_documents_fails_the_service_not_the_run():
    world = World()
    world.answer("/orgs/acme/members", 200, {"unexpected": "object"})
    inventory = _collect(world, ["org", "members"])
    assert not inventory.has("members") and inventory.has("org")


def test_reviews_that_cannot_be_read_make_that_pull_request_an_error():
    world = World()
    world.answer("/repos/acme/api/pulls/40/reviews", 403, {"message": "denied"})
    inventory = _collect(world, ["pulls"])
    pulls = _verdicts("github.pulls.approved", inventory)
    assert pulls["acme/api#40"][0] == "error"
    assert pulls["acme/api#41"][0] == "pass"


def test_approvers_follow_each_reviewers_latest_decision():
    def review(login, state, at):
        return {"user": {"login": login}, "state": state, "submitted_at": at}

    assert approvers([
        review("a", "APPROVED", "2026-01-01T00:00:00Z"),
        review("a", "COMMENTED", "2026-01-02T00:00:00Z"),
        review("b", "APPROVED", "2026-01-01T00:00:00Z"),
        review("b", "CHANGES_REQUESTED", "2026-01-03T00:00:00Z"),
        review("c", "PENDING", None),
    ]) == ["a"]  # fmt: skip
