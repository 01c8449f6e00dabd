"""Forms of the access-review pages. They parse and bound the input; the rules (members
who may review, dates, locking, own accounts) live in the services."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from zgovern.identity.models import Account
from zgovern.reviews.models import FLAGS, Cadence, Decision, ReviewerMode
from zgovern.reviews.services import REVIEWER_ROLES
from zgovern.tenancy.models import Membership, Organization

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def member_choices(org: Organization) -> list[tuple[str, str]]:
    rows = Membership.objects.filter(organization=org, role__in=REVIEWER_ROLES)
    rows = rows.select_related("user").order_by("user__email")
    return [(str(m.user_id), f"{m.user.email} ({m.role})") for m in rows]


def known_systems(org: Organization) -> list[str]:
    rows = Account.objects.filter(organization=org).values_list("system", flat=True)
    return sorted(set(rows.distinct()))


class CampaignForm(forms.Form):
    title = forms.CharField(max_length=200)
    systems = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple)
    reviewer_mode = forms.ChoiceField(label="Reviewers", choices=ReviewerMode.choices)
    default_reviewer = forms.ChoiceField(
        help_text="Reviews every system without its own reviewer below, and the accounts "
        "of people whose manager is not a member."
    )
    due_date = forms.DateField(widget=_DATE)
    cadence = forms.ChoiceField(choices=Cadence.choices, initial=Cadence.QUARTERLY)
    revocation_days = forms.IntegerField(
        label="Revocation window (business days)", min_value=0, max_value=30, initial=1
    )

    def __init__(self, org: Organization, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        members = member_choices(org)
        self.systems = known_systems(org)
        self.fields["systems"].choices = [(s, s) for s in self.systems]
        self.fields["default_reviewer"].choices = members
        self.fields["due_date"].initial = timezone.localdate() + timedelta(days=14)
        for system in self.systems:
            self.fields[f"reviewer__{system}"] = forms.ChoiceField(
                label=f"Reviewer of {system}", required=False,
                choices=[("", "The default reviewer"), *members],
            )  # fmt: skip
            self.fields[f"owner__{system}"] = forms.ChoiceField(
                label=f"Owner of {system} (removes revoked accounts)", required=False,
                choices=[("", "Its reviewer"), *members],
            )  # fmt: skip

    def per_system_fields(self):
        return [(self[f"reviewer__{s}"], self[f"owner__{s}"]) for s in self.systems]

    def for_service(self) -> dict:
        data = self.cleaned_data
        assignments = [
            {"system": s, "reviewer": data[f"reviewer__{s}"], "owner": data[f"owner__{s}"]}
            for s in data["systems"]
            if data.get(f"reviewer__{s}")
        ]
        return {
            "title": data["title"],
            "systems": data["systems"],
            "reviewer_mode": data["reviewer_mode"],
            "default_reviewer": data["default_reviewer"],
            "due_date": data["due_date"],
            "cadence": data["cadence"],
            "revocation_days": data["revocation_days"],
            "assignments": assignments,
        }


class ItemFilterForm(forms.Form):
    flag = forms.ChoiceField(
        required=False,
        choices=[("", "Any flag"), *[(n.removeprefix("flag_"), label) for n, label in FLAGS]],
    )
    decision = forms.ChoiceField(
        required=False,
        choices=[("", "Any decision"), ("undecided", "Not decided"), ("approve", "Approved"),
                 ("revoke", "Revoked")],
    )  # fmt: skip
    system = forms.CharField(required=False, max_length=60)
    mine = forms.BooleanField(label="Mine only", required=False)
    q = forms.CharField(label="Search", required=False, max_length=200)

    def filters(self, user) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "flag": data["flag"],
            "decision": data["decision"],
            "system": data["system"].strip().lower(),
            "reviewer_id": user.pk if data["mine"] else None,
            "q": data["q"].strip(),
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(Decision.APPROVE, "Approve"), (Decision.REVOKE, "Revoke")]
    )
    note = forms.CharField(max_length=1000, required=False)
