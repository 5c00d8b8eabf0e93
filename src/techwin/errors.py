"""The one error hierarchy: services raise these; api/, web/ and cli/ render them."""

from __future__ import annotations

from typing import Any


class TechwinError(Exception):
    """A failure a user can act on; ``status`` is the HTTP code the API answers with."""

    status: int = 400

    def __init__(
        self, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}

    @property
    def kind(self) -> str:
        """The error's name as clients see it, e.g. ``InvalidState``."""
        return type(self).__name__

    def to_dict(self) -> dict[str, Any]:
        """The JSON body the API returns for this error."""
        body: dict[str, Any] = {"error": self.kind, "detail": self.message}
        if self.field:
            body["field"] = self.field
        body.update(self.extra)
        return body


class InvalidInput(TechwinError):
    """A value is malformed or out of range (named by ``field``)."""

    status = 422


class NotAuthenticated(TechwinError):
    """No valid credentials were presented."""

    status = 401


class PermissionDenied(TechwinError):
    """The actor may not do this."""

    status = 403


class NotFound(TechwinError):
    """The record does not exist (or is not visible to the actor)."""

    status = 404


class Conflict(TechwinError):
    """The change collides with stored data (duplicate, stale version)."""

    status = 409


class InvalidState(TechwinError):
    """The record is not in a state that allows this change."""

    status = 409


class RuleViolation(TechwinError):
    """A business rule (gate, transition table) refuses the change."""

    status = 422


class PreconditionRequired(TechwinError):
    """An edit did not say which version it was made against (``version`` or ``If-Match``)."""

    status = 428


class Unavailable(TechwinError):
    """The database is busy (a lock wait ran out); the same request may succeed shortly."""

    status = 503

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message, extra={"retry_after": retry_after})
        self.retry_after = retry_after


class InternalError(TechwinError):
    """An unexpected failure (a bug): the person sees an apology, the log gets the trace."""

    status = 500
