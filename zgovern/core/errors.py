"""Errors the service layer raises. Views turn them into form errors and messages, the
API into JSON with a 4xx status; none of them may reach the user as a 500."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses. ``field`` names the input at fault, when there is one."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Gone(DomainError):
    """The thing existed but can no longer be used (an expired link or token)."""

    status = 410
