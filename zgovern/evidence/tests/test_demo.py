"""The demo's evidence: three items of three sources, added once however often it loads."""

from __future__ import annotations

from zgovern.core.demo import DemoContext
from zgovern.evidence import demo, storage
from zgovern.evidence.models import EvidenceItem, EvidenceSource
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope


def test_demo_evidence_is_added_once(org_a, alice):
    context = DemoContext(organization=org_a, users={Role.OWNER: alice})
    with organization_scope(org_a):
        demo.load(context)
        demo.load(context)
        items = list(EvidenceItem.objects.filter(organization=org_a).order_by("pk"))
        assert [i.source for i in items] == [
            EvidenceSource.UPLOAD,
            EvidenceSource.LINK,
            EvidenceSource.RECORD,
        ]
        pdf = items[0]
        assert pdf.content_type == "application/pdf"
        with storage.open_blob(org_a, pdf.sha256) as handle:
            assert handle.read().startswith(b"%PDF-")
