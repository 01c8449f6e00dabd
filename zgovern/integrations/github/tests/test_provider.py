"""The provider as the engine sees it: its schemas refuse bad input naming the field,
"Test connection" says what works and which scope is missing, and its checks' metadata
points at real controls."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from zgovern.integrations import registry
from zgovern.integrations.github.provider import PROVIDER, GithubProvider
from zgovern.integrations.github.schemas import GithubConfig, GithubCredentials
from zgovern.integrations.github.tests.replay import CONFIG, CREDENTIALS, World, recorded
from zgovern.monitoring.checkspec import load_checks


def _errors(schema, data) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        schema.model_validate(data)
    return {".".join(map(str, e["loc"])): e["msg"] for e in caught.value.errors()}


def _provider(world: World) -> GithubProvider:
    return GithubProvider(transport=world.transport, sleep=lambda seconds: None)


def test_the_registry_knows_github_and_its_checks_are_valid():
    assert registry.get("github") is PROVIDER
    specs = {spec.id: spec for spec in load_checks(PROVIDER)}
    assert "mfa-enforced" in specs["github.org.two_factor_required"].controls
    assert "change-approval" in specs["github.pulls.approved"].controls


def test_config_defaults_and_an_enterprise_server_url():
    config = GithubConfig.model_validate(
        {"organization": "acme-corp", "api_url": "https://git.acme.example/api/v3/"}
    )
    assert config.api_url == "https://git.acme.example/api/v3"
    assert (config.change_window_days, config.check_statuses) == (7, True)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"organization": "-acme"}, "organization", "pattern"),
        ({"organization": "a" * 40}, "organization", "at most 39"),
        ({"organization": "acme", "api_url": "http://git.example/api/v3"}, "api_url", "https"),
        ({"organization": "acme", "api_url": "https://u:p@git.example"}, "api_url", "credentials"),
        ({"organization": "acme", "change_window_days": 0}, "change_window_days", "greater"),
        ({"organization": "acme", "colour": "red"}, "colour", "Extra inputs"),
    ],
)
def test_bad_config_is_refused_naming_the_field(data, field, message):
    assert message in _errors(GithubConfig, data)[field]


def test_a_token_is_never_shown_in_a_repr_or_an_error():
    assert "ghp_" not in repr(CREDENTIALS)
    errors = _errors(GithubCredentials, {"token": "short"})
    assert "short" not in str(errors)


def test_connection_reports_every_capability_working():
    report = _provider(World()).test_connection(CONFIG, CREDENTIALS)
    assert report.ok and report.missing_permissions == ()
    assert [name for name, works, _ in report.checks if works] == [
        "Organisation settings", "Members without 2FA (owner only)", "Repositories"]  # fmt: skip


def test_connection_with_bad_credentials_names_the_scope():
    world = World()
    for route in ("/orgs/acme", "/orgs/acme/members?filter=2fa_disabled", "/orgs/acme/repos"):
        world.answer(route, 401, recorded("error_401.json"))
    report = _provider(world).test_connection(CONFIG, CREDENTIALS)
    assert not report.ok
    assert all("Bad credentials" in detail for _, _, detail in report.checks)
    assert "read:org [Members: read]" in report.missing_permissions
    assert "repo [Metadata: read]" in report.missing_permissions


def test_connection_without_owner_rights_says_so():
    world = World()
    world.answer("/orgs/acme/members?filter=2fa_disabled", 422,
                 recorded("error_422_owner_filter.json"))  # fmt: skip
    report = _provider(world).test_connection(CONFIG, CREDENTIALS)
    assert not report.ok
    [(name, _works, detail)] = [c for c in report.checks if not c[1]]
    assert name == "Members without 2FA (owner only)"
    assert "Only owners can use this filter" in detail and "owner" in detail
    assert any("owner" in p for p in report.missing_permissions)


def test_enterprise_server_paths_carry_the_base_path(monkeypatch):
    seen: list[str] = []

    def handler(request):
        import httpx

        seen.append(request.url.path)
        return httpx.Response(200, json={"login": "acme", "two_factor_requirement_enabled": True})

    import httpx

    config = GithubConfig(organization="acme", api_url="https://git.acme.example/api/v3")
    provider = GithubProvider(transport=lambda: httpx.MockTransport(handler))
    inventory = provider.collect(config, CREDENTIALS, ["org"])
    assert seen == ["/api/v3/orgs/acme"]
    assert inventory.data["org"]["two_factor_requirement_enabled"] is True
