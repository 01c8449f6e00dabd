"""REST endpoints: security incidents, their timelines and response figures."""

from ninja import Router

router = Router(tags=["incidents"])
