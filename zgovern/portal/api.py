"""REST endpoints: what an employee sees: their own policies, training and onboarding."""

from ninja import Router

router = Router(tags=["portal"])
