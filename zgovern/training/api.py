"""REST endpoints: security training courses and who must complete them when."""

from ninja import Router

router = Router(tags=["training"])
