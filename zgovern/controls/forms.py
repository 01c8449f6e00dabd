"""Forms of the controls and plan pages. They parse and bound the input; the rules (who may
own, unique keys, target dates, justifications) live in the services, whose refusals are
put back on the field they name."""

from __future__ import annotations

from django import forms

from zgovern.controls import queries
from zgovern.controls import validation as v
from zgovern.controls.models import ControlStatus, Frequency, Priority, Severity, TaskStatus
from zgovern.core.errors import DomainError
from zgovern.frameworks.controlset import DOMAINS

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_SORTS = [
    ("name", "Name"), ("key", "Key"), ("status", "Status, worst first"),
    ("-status", "Status, best first"), ("severity", "Severity, highest first"),
    ("owner", "Owner"), ("domain", "Domain"),
]  # fmt: skip


def add_domain_error(form: forms.Form, exc: DomainError, aliases: dict | None = None) -> int:
    """Put a service's refusal on the field it names, or on the form; returns the status."""
    name = (aliases or {}).get(exc.field, exc.field)
    form.add_error(name if name in form.fields else None, exc.message)
    return exc.status


def owner_field(owners, *, label: str = "Owner", required: bool = False) -> forms.Field:
    choices = [("", "— nobody —")] + [(m.user_id, _member_label(m)) for m in owners]
    return forms.TypedChoiceField(
        label=label, choices=choices, coerce=int, empty_value=None, required=required
    )


def _member_label(membership) -> str:
    user = membership.user
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


# -- controls -------------------------------------------------------------------------


class ControlFilterForm(forms.Form):
    q = forms.CharField(label="Search", max_length=200, required=False)
    framework = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    category = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *ControlStatus.choices], required=False)
    owner = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    domain = forms.ChoiceField(required=False)
    severity = forms.ChoiceField(choices=[("", "Any severity"), *Severity.choices], required=False)
    sort = forms.ChoiceField(choices=_SORTS, required=False)

    def __init__(self, *args, frameworks, categories, members, domains, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework"].choices = [("", "Any framework")] + [
            (f.pk, f.name) for f in frameworks
        ]
        self.fields["category"].choices = [("", "Any category")] + [
            (c.pk, f"{c.framework.name}: {c.name}") for c in categories
        ]
        self.fields["owner"].choices = [
            ("", "Anyone"), (queries.UNOWNED, "Nobody (unowned)"),
            *((m.user_id, _member_label(m)) for m in members),
        ]  # fmt: skip
        self.fields["domain"].choices = [("", "Any domain")] + [
            (d, DOMAINS.get(d, d)) for d in domains
        ]

    def filters(self) -> queries.ControlFilters:
        """The valid filters (an invalid form filters nothing)."""
        if not self.is_bound or not self.is_valid():
            return queries.ControlFilters()
        data = self.cleaned_data
        return queries.ControlFilters(
            framework=data["framework"], category=data["category"], status=data["status"],
            owner=data["owner"], domain=data["domain"], severity=data["severity"],
            q=data["q"].strip(), sort=data["sort"] or "name",
        )  # fmt: skip


class ControlForm(forms.Form):
    key = forms.CharField(
        max_length=v.KEY_MAX, help_text="A short stable id: lowercase letters, digits, '-', '_'."
    )
    name = forms.CharField(max_length=v.NAME_MAX)
    description = forms.CharField(
        max_length=v.DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="How the control operates.",
    )
    domain = forms.CharField(
        max_length=v.DOMAIN_MAX,
        required=False,
        widget=forms.TextInput(attrs={"list": "control-domains", "autocomplete": "off"}),
    )
    frequency = forms.ChoiceField(choices=Frequency.choices, initial=Frequency.CONTINUOUS)
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)

    def __init__(self, *args, owners, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = owner_field(owners)


class OwnerForm(forms.Form):
    def __init__(self, *args, owners, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = owner_field(owners)


class OverrideForm(forms.Form):
    status = forms.ChoiceField(choices=ControlStatus.choices)
    # Required by the service, which says so with the field named (400).
    justification = forms.CharField(
        max_length=v.JUSTIFICATION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required: why the derived status does not apply. Kept in the activity log.",
    )


class CheckForm(forms.Form):
    check_id = forms.CharField(
        label="Check id", max_length=v.CHECK_MAX, help_text="e.g. aws.iam.console_mfa"
    )


class PolicyForm(forms.Form):
    policy_key = forms.CharField(
        label="Policy key", max_length=v.POLICY_MAX, help_text="e.g. access-control"
    )


class RequirementForm(forms.Form):
    kind = forms.CharField(
        max_length=v.KIND_MAX,
        help_text="The evidence kind, e.g. access_review.",
        widget=forms.TextInput(attrs={"list": "evidence-kinds", "autocomplete": "off"}),
    )
    description = forms.CharField(max_length=v.REQUIREMENT_MAX)
    freshness_days = forms.IntegerField(
        label="Fresh for (days)", min_value=v.FRESHNESS_MIN, max_value=v.FRESHNESS_MAX
    )


class CriterionForm(forms.Form):
    criterion = forms.TypedChoiceField(coerce=int, label="Criterion")

    def __init__(self, *args, criteria=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [
            (c.pk, f"{c.framework.name} · {c.ref} {c.title[:80]}") for c in criteria
        ]


class IdForm(forms.Form):
    """A single posted id (unmap a criterion, link or unlink evidence)."""

    id = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class EvidenceForm(forms.Form):
    """Add evidence to a control: a file, or a link (exactly one of them)."""

    title = forms.CharField(max_length=200)
    kind = forms.CharField(
        max_length=v.KIND_MAX,
        widget=forms.TextInput(attrs={"list": "evidence-kinds", "autocomplete": "off"}),
        help_text="Use a kind the control requires so it counts towards its status.",
    )
    description = forms.CharField(
        max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    period_start = forms.DateField(label="Period from", required=False, widget=_DATE)
    period_end = forms.DateField(label="Period until", required=False, widget=_DATE)
    file = forms.FileField(required=False, help_text="PDF, image, spreadsheet, document…")
    url = forms.CharField(
        label="…or a link", max_length=1000, required=False, help_text="A full https:// address."
    )

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("url") or "").strip():
            self.add_error("file", "Choose a file to upload or give a link.")
        elif data.get("file") and (data.get("url") or "").strip():
            self.add_error("url", "Give either a file or a link, not both.")
        return data

    def arguments(self) -> dict:
        data = self.cleaned_data
        described = {name: data[name] for name in ("title", "kind", "description",
                                                     "period_start", "period_end")}  # fmt: skip
        if data.get("file"):
            return {**described, "uploaded_file": data["file"]}
        return {**described, "url": data["url"].strip()}


# -- the plan -------------------------------------------------------------------------


class TaskFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), (queries.ACTIVE, "Open or in progress"),
                 *TaskStatus.choices],
        required=False,
    )  # fmt: skip
    owner = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    priority = forms.TypedChoiceField(
        choices=[("", "Any priority"), *Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)

    def __init__(self, *args, members, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [
            ("", "Anyone"), (queries.UNOWNED, "Nobody (unowned)"),
            *((m.user_id, _member_label(m)) for m in members),
        ]  # fmt: skip

    def filters(self) -> queries.TaskFilters:
        if not self.is_bound or not self.is_valid():
            return queries.TaskFilters()
        data = self.cleaned_data
        return queries.TaskFilters(
            status=data["status"], owner=data["owner"], priority=data["priority"],
            overdue=data["overdue"],
        )  # fmt: skip


class TaskForm(forms.Form):
    title = forms.CharField(max_length=v.NAME_MAX)
    description = forms.CharField(
        max_length=v.DESCRIPTION_MAX, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    control = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, initial=Priority.MEDIUM)
    target_date = forms.DateField(
        required=False, widget=_DATE, help_text="Today or later; the plan flags it when missed."
    )

    def __init__(self, *args, owners, controls, with_status: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["control"].choices = [("", "— no control —"), *controls]
        self.fields["owner"] = owner_field(owners)
        if with_status:
            self.fields["status"] = forms.ChoiceField(choices=TaskStatus.choices)


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(choices=TaskStatus.choices)


class GenerateForm(forms.Form):
    framework = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)

    def __init__(self, *args, frameworks=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework"].choices = [("", "Every framework")] + [
            (f.pk, f.name) for f in frameworks
        ]
