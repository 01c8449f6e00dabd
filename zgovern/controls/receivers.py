"""What controls do when upstream modules announce something.

``link_check_evidence`` receives ``zgovern.evidence.signals.evidence_added``: an item whose
tags name automated checks (a check snapshot) is linked, through
:func:`zgovern.controls.services.link_evidence`, to every control of the organisation
tested by one of those checks. It runs inside the sender's transaction, so the links
commit or roll back with the item. Connected in ``ControlsConfig.ready``.

``carry_links_to_correction`` receives the same signal for a correction (an item that
supersedes another): the correction is linked to every control the original was linked
to, so a control keeps its evidence when the evidence is corrected.
"""

from __future__ import annotations

from typing import Any

from zgovern.controls import services
from zgovern.controls.models import ControlCheck, ControlEvidence
from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict


def link_check_evidence(sender: Any, *, item, organization, **kwargs: Any) -> list[int]:
    """Link ``item`` to each control whose checks intersect its tags (a link that exists
    already is kept); returns the ids of the controls linked."""
    tags = [tag for tag in (item.tags or []) if isinstance(tag, str)]
    if not tags:
        return []
    control_ids = sorted(
        set(
            ControlCheck.objects.filter(organization=organization, check_id__in=tags).values_list(
                "control_id", flat=True
            )
        )
    )
    actor = Actor.system("monitoring")
    linked: list[int] = []
    for control_id in control_ids:
        try:
            services.link_evidence(organization, actor, control_id, item.pk)
        except Conflict:
            continue
        linked.append(control_id)
    return linked


def carry_links_to_correction(sender: Any, *, item, organization, **kwargs: Any) -> list[int]:
    """Link a correction to the controls its original was linked to; returns their ids."""
    if item.supersedes_id is None:
        return []
    control_ids = list(
        ControlEvidence.objects.filter(
            organization=organization, evidence_id=item.supersedes_id
        ).values_list("control_id", flat=True)
    )
    actor = Actor.system("evidence correction")
    linked: list[int] = []
    for control_id in control_ids:
        try:
            services.link_evidence(organization, actor, control_id, item.pk)
        except Conflict:
            continue
        linked.append(control_id)
    return linked
