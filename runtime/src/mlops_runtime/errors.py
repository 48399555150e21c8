"""Failures a user can act on, each with a short reason the portal shows as is."""

from __future__ import annotations

__all__ = ["JobError"]


class JobError(Exception):
    """A known failure of a job: `reason` is short and stable ("dataset not found"), `message`
    says what exactly is wrong."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message
