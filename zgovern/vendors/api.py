"""REST endpoints: vendor inventory, compliance documents and security assessments."""

from ninja import Router

router = Router(tags=["vendors"])
