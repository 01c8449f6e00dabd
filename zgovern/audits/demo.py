"""Demo audit of Acme Cloud: a SOC 2 Type 2 over the last six months, with one bundle
built so the download and the verifier can be tried at once. Made once, found by name."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from zgovern.audits import services
from zgovern.audits.models import Audit, Bundle
from zgovern.frameworks.models import Framework

NAME = "SOC 2 Type 2 — first observation period"


def load(context) -> None:
    org, actor = context.organization, context.actor
    framework = Framework.objects.filter(organization=org, key="soc2").first()
    if framework is None or Audit.objects.filter(organization=org, name=NAME).exists():
        return
    today = timezone.localdate()
    audit = services.create_audit(
        org,
        actor,
        {
            "name": NAME,
            "framework": "soc2",
            "audit_type": "type2",
            "period_start": today - timedelta(days=183),
            "period_end": today,
            "firm": "Example Assurance LLP",
            "lead_auditor": "Dana Auditor",
            "fieldwork_start": today + timedelta(days=14),
        },
    )
    if not Bundle.objects.filter(organization=org, audit=audit).exists():
        bundle = services.request_bundle(org, actor, audit.pk, enqueue=False)
        services.build_bundle(bundle.pk, "demo")
