"""What one person has to do: the reads behind "My tasks", the portal API and the
reminders. Everything is computed for one person, found from the signed-in user; nothing
here ever lists another person's tasks.

A user is the person whose work email is the user's email, or who has it as an alias
(:class:`zgovern.identity.models.PersonAlias`), in the request's organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from zgovern.identity.models import PersonAlias
from zgovern.people.models import BackgroundCheck, Person
from zgovern.policies import queries as policies
from zgovern.policies.models import PolicyVersion
from zgovern.tenancy.models import Organization
from zgovern.training import queries as training
from zgovern.training.queries import StatusRow
from zgovern.training.schedule import DONE, OVERDUE


def person_for(org: Organization, email: str) -> Person | None:
    """The roster's person signed in as ``email``: by work email, else by alias."""
    email = (email or "").strip().lower()
    if not email:
        return None
    person = Person.objects.filter(organization=org, work_email=email).first()
    if person is not None:
        return person
    alias = PersonAlias.objects.filter(organization=org, alias=email).select_related("person")
    found = alias.first()
    return found.person if found is not None else None


@dataclass(frozen=True)
class PolicyTask:
    version: PolicyVersion  # the published version to read (its ``policy`` loaded)
    due: date
    state: str  # pending | overdue | acknowledged | late
    acknowledged_at: object = None

    @property
    def done(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"


@dataclass(frozen=True)
class OnboardingStep:
    title: str
    status: str  # done | pending | not_started
    detail: str


@dataclass
class OwnTasks:
    person: Person | None
    policies: list[PolicyTask] = field(default_factory=list)
    training: list[StatusRow] = field(default_factory=list)
    onboarding: list[OnboardingStep] = field(default_factory=list)

    @property
    def open_policies(self) -> list[PolicyTask]:
        return [t for t in self.policies if not t.done]

    @property
    def open_training(self) -> list[StatusRow]:
        return [r for r in self.training if r.status != DONE]

    @property
    def open_count(self) -> int:
        steps = [s for s in self.onboarding if s.status != "done"]
        return len(self.open_policies) + len(self.open_training) + len(steps)

    @property
    def overdue_training(self) -> list[StatusRow]:
        return [r for r in self.training if r.status == OVERDUE]


def own_tasks(org: Organization, person: Person | None, today: date) -> OwnTasks:
    """``person``'s policies, training and onboarding steps (empty without a person)."""
    if person is None:
        return OwnTasks(None)
    return OwnTasks(
        person,
        policies=policy_tasks(org, person),
        training=training.statuses(org, today, person=person),
        onboarding=onboarding(org, person),
    )


def policy_tasks(org: Organization, person: Person) -> list[PolicyTask]:
    """The published policies of ``person``'s audience: open ones first, by due date."""
    tasks = [
        PolicyTask(item.current, mine.due, mine.state, mine.acknowledged_at)
        for item, mine in policies.person_standings(org, person)
    ]
    return sorted(tasks, key=lambda t: (t.done, t.due, t.version.policy.title))


def onboarding(org: Organization, person: Person) -> list[OnboardingStep]:
    """The onboarding steps the person can follow (the background check, for now)."""
    check = BackgroundCheck.objects.filter(organization=org, person=person).first()
    if check is None:
        step = OnboardingStep("Background check", "not_started", "Not started yet.")
    elif check.status == "pending":
        step = OnboardingStep("Background check", "pending", "In progress with the provider.")
    else:
        when = f" on {check.completed_on:%Y-%m-%d}" if check.completed_on else ""
        step = OnboardingStep("Background check", "done", f"Completed{when}.")
    return [step]


def policy_task(org: Organization, person: Person, policy_id: int) -> PolicyTask | None:
    """``person``'s task on that policy, when they are in its audience."""
    return next((t for t in policy_tasks(org, person) if t.version.policy_id == policy_id), None)
