"""Writes of the readiness module: the daily snapshot of each framework's score."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from zgovern.readiness.engine import Assessment, assess_organization
from zgovern.readiness.models import ReadinessSnapshot


def take_snapshot(org, day: date | None = None, assessment: Assessment | None = None) -> int:
    """Record today's readiness of every framework of ``org``; a second call on the same day
    replaces that day's figures. Returns the number of frameworks recorded."""
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
    return len(assessment.frameworks)
