"""REST endpoints: access-review campaigns with an APPROVE or REVOKE per account."""

from ninja import Router

router = Router(tags=["reviews"])
