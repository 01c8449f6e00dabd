"""Writes of the readiness module: the daily snapshot of each framework's score."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from zgovern.core.actor import Actor
from zgovern.readiness.engine import Assessment, assess_organization
from zgovern.readiness.models import ReadinessSnapshot
from zgovern.tenancy.activity import record


def take_snapshot(
    org,
    day: date | None = None,
    assessment: Assessment | None = None,
    *,
    actor: Actor | None = None,
) -> int:
    """Record today's readiness of every framework of ``org``; a second call on the same day
    replaces that day's figures. Returns the number of frameworks recorded.

    The hourly background task passes no ``actor`` and is not logged (it would add 24 rows
    a day that say nothing); a person or token asking for a snapshot is logged as
    ``readiness.snapshot_taken``."""
    day = day or timezone.localdate()
    assessment = assessment or assess_organization(org)
    with transaction.atomic():
        for readiness in assessment.frameworks:
            ReadinessSnapshot.objects.update_or_create(
                organization=org,
                framework=readiness.framework,
                day=day,
                defaults={
                    "score": round(readiness.score, 6),
                    "criteria_in_scope": readiness.criteria_in_scope,
                    "criteria_ready": readiness.criteria_ready,
                    "controls_by_status": dict(readiness.controls_by_status),
                    "taken_at": timezone.now(),
                },
            )
        if actor is not None:
            scores = {r.framework.key: round(r.score, 4) for r in assessment.frameworks}
            record(org, actor, "readiness.snapshot_taken", None, {"day": day, "scores": scores})
    return len(assessment.frameworks)
