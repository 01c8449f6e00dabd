"""Forms of the employee portal."""

from __future__ import annotations

from django import forms

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CompletionForm(forms.Form):
    completed_on = forms.DateField(widget=_DATE, required=False, help_text="Empty means today.")


class CertificateForm(forms.Form):
    file = forms.FileField(help_text="The certificate the course gave you (PDF or an image).")
    completed_on = forms.DateField(widget=_DATE, required=False, help_text="Empty means today.")


class SignInLinkForm(forms.Form):
    email = forms.EmailField(max_length=254)
