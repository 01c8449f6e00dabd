"""Monitoring forms: the OCSF upload and the resource filter."""

from __future__ import annotations

from django import forms

from zgovern.monitoring.services import MAX_IMPORT_BYTES


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A JSON array of OCSF findings, as Prowler writes it.")
    integration = forms.ChoiceField(
        required=False,
        choices=(),
        help_text="Record the findings as seen by this integration (optional).",
    )

    def __init__(self, *args, integrations=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(i.pk), i.name) for i in integrations]
        self.fields["integration"].choices = [("", "—"), *choices]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_IMPORT_BYTES // 2**20} MiB.")
        return upload


class ResourceFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Name or id contains")
    resource_type = forms.CharField(required=False, max_length=80, label="Type")
