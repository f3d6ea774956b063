"""The team server's refusals: one-line messages that say what to do, like every
:class:`~qualcode.errors.QualcodeError`. The web layer answers them with their status."""

from __future__ import annotations

from qualcode.errors import QualcodeError


class LoginRefused(QualcodeError):
    """A login that failed (the same message for a wrong password and an unknown name), or
    one refused for a while after too many failures (the message says until when)."""

    def __init__(self, message: str, retry_at: str | None = None):
        super().__init__(message)
        self.retry_at = retry_at


class NotAllowed(QualcodeError):
    """The account may not do this in this project (not a member, or not its owner)."""


class InvitationRefused(QualcodeError):
    """An invitation link that is unknown, used already or expired."""
