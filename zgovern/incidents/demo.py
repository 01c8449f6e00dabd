"""Demo incidents of Acme Cloud: a phishing incident closed with its full timeline (and so
recorded as evidence), a burst of suspicious API traffic still open past its severity's
target, and a lost laptop that is contained. Each is added once, found by its title."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from zgovern.controls.models import Control
from zgovern.incidents import services
from zgovern.incidents.models import Incident
from zgovern.risks.models import Risk
from zgovern.tenancy.roles import Role

CLOSED = "Phishing email led to a compromised mailbox"
OPEN = "Suspicious API traffic from unknown addresses"
CONTAINED = "Laptop lost at an airport"
# hours after the start: what was done
TIMELINE = (
    (2, "Security alert on an impossible-travel sign-in triaged; incident opened."),
    (3, "Mailbox session revoked, password reset, MFA re-enrolled."),
    (5, "Mail rules added by the attacker removed; sent items reviewed."),
    (26, "Search of all mailboxes for the same phishing email; 14 copies purged."),
    (30, "Post-incident review held; actions assigned."),
)


def load(context) -> None:
    org, actor = context.organization, context.actor
    owner = context.users.get(Role.OWNER)
    email = owner.email if owner else ""
    titles = set(Incident.objects.filter(organization=org).values_list("title", flat=True))
    now = timezone.now().replace(microsecond=0)
    if CLOSED not in titles:
        _closed(org, actor, email, now - timedelta(days=40))
    if OPEN not in titles:
        services.create_incident(
            org, actor, title=OPEN, severity="SEV2", owner_email=email,
            detected_at=now - timedelta(days=5), reported_at=now - timedelta(days=5, hours=-1),
            description="Bursts of failed API key checks from addresses never seen before.",
            affected_systems="Public API", affected_data="None known",
        )  # fmt: skip
    if CONTAINED not in titles:
        services.create_incident(
            org, actor, title=CONTAINED, severity="SEV3", owner_email=email, status="contained",
            detected_at=now - timedelta(days=2), contained_at=now - timedelta(days=2, hours=-3),
            affected_systems="One laptop (disk encrypted)", affected_data="None known",
        )  # fmt: skip


def _closed(org, actor, email: str, started) -> None:
    risk = Risk.objects.filter(organization=org, title__startswith="Phishing").first()
    controls = Control.objects.filter(organization=org, key__in=["incident-tracking"])
    incident = services.create_incident(
        org, actor, title=CLOSED, severity="SEV2", owner_email=email, status="resolved",
        started_at=started, detected_at=started + timedelta(hours=2),
        reported_at=started + timedelta(hours=2, minutes=20),
        contained_at=started + timedelta(hours=3), resolved_at=started + timedelta(hours=26),
        description="An employee entered their password on a fake sign-in page; the attacker "
        "read mail for about two hours.",
        affected_systems="Email", affected_data="Internal email of one employee",
        root_cause="Phishing page not caught by the mail filter; SMS codes were phishable.",
        lessons_learned="Move everyone to phishing-resistant MFA; add the look-alike domain "
        "pattern to the filter.",
        risk_ids=[risk.pk] if risk else [],
        control_ids=list(controls.values_list("pk", flat=True)),
    )  # fmt: skip
    for hours, action in TIMELINE:
        services.add_timeline_entry(
            org, actor, incident.pk, action=action, at=started + timedelta(hours=hours),
            by="Security on-call",
        )  # fmt: skip
    services.update_incident(org, actor, incident.pk, status="closed")
