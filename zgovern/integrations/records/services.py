"""Setting up the built-in records checks for an organisation."""

from __future__ import annotations

from zgovern.core.actor import Actor
from zgovern.tenancy.models import Organization

CHECKS_NAME = "Records checks"
CHECKS_INTERVAL_HOURS = 24


def ensure_records_checks(org: Organization, actor: Actor):
    """The organisation's built-in ``records`` integration, added (daily) when missing, and
    each of its checks attached to the adopted controls it evidences (the control set
    names them too; this covers controls adopted before it did). Idempotent: a second call
    changes nothing."""
    from zgovern.controls import services as controls
    from zgovern.controls.models import Control
    from zgovern.integrations import services as integrations
    from zgovern.integrations.models import Integration
    from zgovern.integrations.records.provider import PROVIDER
    from zgovern.monitoring import registry

    integration = Integration.objects.filter(organization=org, provider=PROVIDER.key).first()
    if integration is None:
        name = CHECKS_NAME
        if Integration.objects.filter(organization=org, name=name).exists():
            name = f"{CHECKS_NAME} (built in)"
        integration = integrations.create_integration(
            org, actor, provider=PROVIDER.key, name=name, config={},
            interval_hours=CHECKS_INTERVAL_HOURS,
        )  # fmt: skip
    for spec in registry.provider_checks(PROVIDER):
        for key in spec.controls:
            control = Control.objects.filter(organization=org, key=key).first()
            if control is not None and not control.checks.filter(check_id=spec.id).exists():
                controls.add_check(org, actor, control.pk, spec.id)
    return integration
