"""The email that carries a vendor's assessment link."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from zgovern.vendors.models import Assessment


def link_url(raw_token: str) -> str:
    return settings.BASE_URL + reverse("vendor_assessment_link", args=[raw_token])


def send_link(request, assessment: Assessment, raw_token: str) -> str:
    """Email the link to ``assessment.sent_to``; return the link (shown once to the
    sender too, for when mail does not arrive)."""
    url = link_url(raw_token)
    org = assessment.organization.name
    expires = assessment.link_expires_at.strftime("%Y-%m-%d %H:%M UTC")
    body = (
        f"{org} asks {assessment.vendor.name} to answer its {assessment.questionnaire_title}.\n\n"
        f"Open this link to answer (no account needed): {url}\n\n"
        f"The link works until {expires} and can be submitted once."
    )
    send_mail(f"{org}: {assessment.questionnaire_title}", body, None, [assessment.sent_to])
    return url
