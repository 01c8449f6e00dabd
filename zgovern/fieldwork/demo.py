"""Demo fieldwork on the demo audit: a seeded sample of new hires and one of production
changes, an outside auditor invited to that audit alone for 90 days, and a comment on a
control. Made once: nothing is added when the audit already has samples."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from zgovern.audits.models import Audit
from zgovern.fieldwork import populations, scope, services
from zgovern.fieldwork.models import AuditorGrant, Comment, Sample
from zgovern.tenancy.models import Membership
from zgovern.tenancy.roles import Role

AUDITOR = ("dana@audit-firm.example", "Dana Auditor")  # the demo audit's lead auditor
SEEDS = {"new_hires": 20260101, "changes": 20260102}


def load(context) -> None:
    org, actor = context.organization, context.actor
    audit = Audit.objects.filter(organization=org).order_by("pk").first()
    if audit is None or not audit.has_period:
        return
    if not Sample.objects.filter(organization=org, audit=audit).exists():
        start, end = services.period(audit)
        for kind, seed in SEEDS.items():
            available = len(populations.population(org, kind, start, end).items)
            if available:
                services.create_sample(
                    org,
                    actor,
                    audit.pk,
                    population=kind,
                    size=min(3, available),
                    seed=seed,
                    note="Demo sample",
                )
    if not AuditorGrant.objects.filter(organization=org, audit=audit).exists():
        _invite(context, audit)
    if not Comment.objects.filter(organization=org, audit=audit).exists():
        controls = scope.controls(org, audit)
        if controls:
            services.add_comment(
                org,
                actor,
                audit.pk,
                target_kind="control",
                target_id=controls[0].control.pk,
                body="Please walk us through how this control is tested.",
            )


def _invite(context, audit: Audit) -> None:
    from zgovern.accounts.models import User
    from zgovern.core.demo import PASSWORD

    org = context.organization
    owner = Membership.objects.filter(organization=org, role=Role.OWNER).order_by("pk").first()
    email, name = AUDITOR
    if owner is None:
        return
    if User.objects.filter(email=email).first() is None:
        User.objects.create_user(email, PASSWORD, full_name=name)
    services.invite_auditor(
        org,
        owner,
        context.actor,
        audit.pk,
        email=email,
        expires_at=timezone.now() + timedelta(days=90),
    )
