"""Forms of the frameworks pages. They parse and bound the input; the rules (a reason is
required, Security cannot be scoped out, a file's problems) live in the services."""

from __future__ import annotations

from django import forms

from zgovern.frameworks.models import SystemDescription
from zgovern.frameworks.services import MAX_CUSTOM_BYTES, MAX_REASON, MAX_TEXT, SYSTEM_FIELDS

SYSTEM_HELP = {
    "services": "What the system does for customers: products, interfaces, commitments.",
    "infrastructure": "Where it runs: cloud accounts, regions, networks, hosts, databases.",
    "data": "What data it stores and processes, how it is classified, encrypted and kept.",
    "people": "Who builds, operates and supports it; teams, roles and responsibilities.",
    "third_parties": "Vendors and subservice organisations it relies on.",
    "boundaries": "What is in scope and what is explicitly out of scope.",
    "narrative": "Anything else the auditor's description of the system should say.",
}


class AdoptForm(forms.Form):
    key = forms.SlugField(max_length=60)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Framework file (YAML)",
        help_text="At most 2 MB, in the documented format.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CUSTOM_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB.")
        return upload


class CategoryScopeForm(forms.Form):
    in_scope = forms.BooleanField(label="In scope", required=False)
    # Required by the service, whose message says why; here only bounded.
    reason = forms.CharField(
        label="Reason",
        max_length=MAX_REASON,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ApplicabilityForm(forms.Form):
    not_applicable = forms.BooleanField(label="Not applicable", required=False)
    justification = forms.CharField(
        label="Justification",
        max_length=MAX_REASON,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SystemDescriptionForm(forms.Form):
    """One field per part of the description; every save is a new version."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in SYSTEM_FIELDS:
            label = SystemDescription._meta.get_field(name).verbose_name.capitalize()
            self.fields[name] = forms.CharField(
                label=label,
                max_length=MAX_TEXT,
                required=False,
                help_text=SYSTEM_HELP[name],
                widget=forms.Textarea(attrs={"rows": 5}),
            )


class DiffForm(forms.Form):
    a = forms.IntegerField(label="From version", min_value=1, max_value=2**31)
    b = forms.IntegerField(label="To version", min_value=1, max_value=2**31)
