"""REST endpoints: change records: merged pull requests and their approvals."""

from ninja import Router

router = Router(tags=["changes"])
