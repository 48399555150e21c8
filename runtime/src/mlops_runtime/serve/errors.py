"""The two kinds of failure the serving code tells apart."""

from __future__ import annotations

__all__ = ["ConfigError", "InputError"]


class ConfigError(ValueError):
    """The application's args or the ingress user_config are invalid (the portal's fault, not the
    caller's); the message names the field."""


class InputError(ValueError):
    """An inference request is invalid; the message names the problem and is returned to the
    caller as `{"error": message}` with status 400."""
