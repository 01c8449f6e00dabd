"""The demo organisation "Acme Cloud", loaded by ``zgovern demo`` (and ``make run``).

Loading is idempotent: a second run finds what exists and adds only what is missing, so
data a person created while trying the demo is kept. Each app contributes its own demo
records through a ``demo.load(context)`` function listed in ``DEMO_MODULES``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module

from django.db import transaction

from zgovern.core.actor import Actor
from zgovern.tenancy.models import Organization
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope

ORG_NAME = "Acme Cloud"
ORG_SLUG = "acme-cloud"
PASSWORD = "acme-demo-2026"  # a demo on a laptop; printed on the terminal at start
PEOPLE = (
    ("olivia@acme.example", "Olivia Owner", Role.OWNER),
    ("adam@acme.example", "Adam Admin", Role.ADMIN),
    ("maria@acme.example", "Maria Member", Role.MEMBER),
    ("eric@acme.example", "Eric Employee", Role.EMPLOYEE),
    ("audrey@audit-firm.example", "Audrey Auditor", Role.AUDITOR),
)
# Apps that add demo records, in dependency order.
DEMO_MODULES: tuple[str, ...] = (
    "zgovern.tenancy.demo",
    "zgovern.integrations.demo",
    "zgovern.frameworks.demo",
    "zgovern.evidence.demo",
    "zgovern.controls.demo",
    "zgovern.readiness.demo",
    "zgovern.people.demo",
    "zgovern.policies.demo",
    "zgovern.identity.demo",
    "zgovern.risks.demo",
    "zgovern.incidents.demo",
    "zgovern.changes.demo",
    "zgovern.training.demo",
    "zgovern.vendors.demo",
    "zgovern.reviews.demo",
    "zgovern.integrations.records.demo",
    "zgovern.audits.demo",
    "zgovern.fieldwork.demo",
    "zgovern.findings.demo",
    "zgovern.pbc.demo",
    "zgovern.alerts.demo",
    "zgovern.trust.demo",
)


@dataclass
class DemoContext:
    organization: Organization
    users: dict[str, object] = field(default_factory=dict)  # role -> user
    actor: Actor = field(default_factory=lambda: Actor.system("demo"))

    def user(self, role: str):
        return self.users[role]


def load(password: str = PASSWORD) -> DemoContext:
    """Create or complete the demo organisation and return what it holds."""
    with transaction.atomic():
        context = _organization_and_people(password)
        with organization_scope(context.organization):
            for name in DEMO_MODULES:
                import_module(name).load(context)
    return context


def populate(org: Organization, users: dict[str, object]) -> DemoContext:
    """Load every app's demo records into an existing organisation (used by tests that
    need one object of every kind)."""
    context = DemoContext(organization=org, users=users)
    with transaction.atomic(), organization_scope(org):
        for name in DEMO_MODULES:
            import_module(name).load(context)
    return context


def _organization_and_people(password: str) -> DemoContext:
    from zgovern.accounts.models import User
    from zgovern.tenancy import services

    owner_email, owner_name, _ = PEOPLE[0]
    owner = User.objects.filter(email=owner_email).first() or User.objects.create_user(
        owner_email, password, full_name=owner_name
    )
    org = Organization.objects.filter(slug=ORG_SLUG).first()
    if org is None:
        # "Acme Cloud" slugifies to ORG_SLUG, which is free when no demo exists yet.
        org = services.create_organization(ORG_NAME, owner, Actor.system("demo"))
    context = DemoContext(organization=org)
    for email, name, role in PEOPLE:
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, password, full_name=name
        )
        services.add_member(org, context.actor, user, role)
        context.users[role] = user
    return context
