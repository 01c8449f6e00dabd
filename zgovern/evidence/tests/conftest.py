"""Helpers of the evidence tests: sample files, items added as alice, a look at what the
storage holds, and API clients for alice, bob and charlie."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_scopes import scopes_disabled

from zgovern.core.actor import Actor
from zgovern.evidence import services
from zgovern.evidence.models import EvidenceItem
from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import api_client, issue_token

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SYSTEM = Actor.system("tests")


def actor_for(user) -> Actor:
    return Actor(kind="user", label=user.email, user=user)


def pdf(name: str = "policy.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def add_pdf(org, user=None, **overrides) -> EvidenceItem:
    fields = {"kind": "policy_approval", "title": "Signed policy", "uploaded_file": pdf()}
    fields.update(overrides)
    with organization_scope(org):
        return services.add_file(org, actor_for(user) if user else SYSTEM, **fields)


def add_link(org, **overrides) -> EvidenceItem:
    fields = {"kind": "access_review", "title": "Review ticket", "url": "https://t.example/1"}
    fields.update(overrides)
    with organization_scope(org):
        return services.add_link(org, SYSTEM, **fields)


def add_record(org, **overrides) -> EvidenceItem:
    fields = {"kind": "backup_test", "title": "Restore test", "record": {"rows": 3, "ok": True}}
    fields.update(overrides)
    with organization_scope(org):
        return services.add_record(org, SYSTEM, **fields)


def evidence_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "evidence"


def stored_blobs() -> list[Path]:
    """Every blob in the file-system storage (temporary files excluded)."""
    root = evidence_root()
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and ".incoming" not in p.parts)


def leftover_temp_files() -> list[Path]:
    incoming = evidence_root() / ".incoming"
    return sorted(incoming.iterdir()) if incoming.exists() else []


def count_items(org) -> int:
    with scopes_disabled():
        return EvidenceItem.objects.filter(organization=org).count()


def actions(org) -> list[str]:
    with scopes_disabled():
        rows = ActivityLog.objects.filter(organization=org, action__startswith="evidence.")
        return list(rows.order_by("seq").values_list("action", flat=True))


@pytest.fixture
def alice_api(org_a, alice) -> Client:
    return api_client(issue_token(org_a, alice, read_only=False, name="alice rw"))


@pytest.fixture
def bob_api(org_a, bob) -> Client:
    return api_client(issue_token(org_a, bob, read_only=True, name="bob ro"))


@pytest.fixture
def charlie_api(org_b, charlie) -> Client:
    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))
