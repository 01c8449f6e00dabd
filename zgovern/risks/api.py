"""REST endpoints: the risk register: scoring, treatment, acceptance and assessments."""

from ninja import Router

router = Router(tags=["risks"])
