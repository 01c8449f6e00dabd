"""Who is doing something: the identity the activity log records for every change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

_UA_LIMIT = 300


@dataclass(frozen=True)
class Actor:
    """The author of a change: a signed-in user, an API token, or the system itself."""

    kind: str  # "user", "token" or "system"
    label: str
    user: Any = None
    ip: str = ""
    user_agent: str = ""

    @classmethod
    def system(cls, label: str = "zgovern") -> Actor:
        return cls(kind="system", label=label)

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        ip = client_ip(request)
        agent = request.META.get("HTTP_USER_AGENT", "")[:_UA_LIMIT]
        token = getattr(request, "api_token", None)
        if token is not None:
            label = f"{token.user.email} (token {token.prefix})"
            return cls(kind="token", label=label, user=token.user, ip=ip, user_agent=agent)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return cls(kind="user", label=user.email, user=user, ip=ip, user_agent=agent)
        return cls(kind="anonymous", label="anonymous", ip=ip, user_agent=agent)


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: trusting X-Forwarded-For would let a client choose the address it
    # is throttled and logged under. A proxy deployment rewrites REMOTE_ADDR upstream.
    return request.META.get("REMOTE_ADDR", "")[:45]
