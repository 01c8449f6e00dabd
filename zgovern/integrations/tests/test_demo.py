"""The demo's integration: no credentials, schedule paused, one imported sample scan."""

from __future__ import annotations

from django_scopes import scopes_disabled

from zgovern.core.demo import DemoContext
from zgovern.integrations import demo
from zgovern.integrations.models import Integration
from zgovern.monitoring.models import CheckInterval, CheckRun, RunTrigger
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope


def test_the_demo_integration_is_loaded_once(org_a, alice):
    context = DemoContext(organization=org_a, users={Role.OWNER: alice})
    with organization_scope(org_a):
        demo.load(context)
        demo.load(context)
    with scopes_disabled():
        [integration] = Integration.objects.filter(organization=org_a)
        [run] = CheckRun.objects.filter(organization=org_a)
        failing = CheckInterval.objects.filter(organization=org_a, status="fail", ended_at=None)
        assert [i.check_id for i in failing] == ["aws.iam.access_keys_rotated"]
    assert (integration.name, integration.provider) == ("Production AWS", "aws")
    assert not integration.has_credentials and not integration.enabled
    assert run.trigger == RunTrigger.IMPORT and run.integration_id == integration.pk
    assert run.passed == 7 and run.evidence_ids
