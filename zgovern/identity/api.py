"""REST endpoints: accounts in every connected system and their link to people."""

from ninja import Router

router = Router(tags=["identity"])
