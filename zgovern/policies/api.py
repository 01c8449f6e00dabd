"""REST endpoints: policies, their versions, approvals and acknowledgements."""

from ninja import Router

router = Router(tags=["policies"])
