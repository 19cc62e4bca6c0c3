"""The one error hierarchy of Spona.

Services raise these; the web UI turns them into form errors and flash messages, the API
into problem JSON (RFC 9457) and the CLI into a message and a non-zero exit. Nothing else
needs to know how an error is shown.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A business rule refused the request; the message is safe to show to the user."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra or {}


class ValidationFailed(ApplicationError):
    """Input failed validation; ``field_errors`` maps field names to messages."""

    status = 422
    code = "validation_failed"

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.field_errors = field_errors or {}

    @classmethod
    def from_django(cls, exc: Any, message: str = "Some fields are not valid.") -> ValidationFailed:
        """Wrap a django ValidationError, keeping its per-field messages."""
        if hasattr(exc, "message_dict"):
            errors = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        else:
            errors = {"__all__": [str(m) for m in exc.messages]}
        general = errors.get("__all__") or errors.get("NON_FIELD_ERRORS")
        return cls(general[0] if general and len(errors) == 1 else message, field_errors=errors)


class NotFound(ApplicationError):
    status = 404
    code = "not_found"


class PermissionDenied(ApplicationError):
    status = 403
    code = "permission_denied"


class Conflict(ApplicationError):
    """The record changed since the caller read it (stale version), or a duplicate exists."""

    status = 409
    code = "conflict"


class StateError(ApplicationError):
    """The record is not in a state that allows this transition."""

    status = 409
    code = "invalid_state"
