"""The smallest Ray Serve application: the probe the portal's tests and status checks deploy.

    import_path: mlops_runtime.serve_probe:build_app
    args:        {"name": "<any text>"}
    deployments: [{"name": "Probe", "user_config": {"greeting": "<any JSON value>"}}]

Every request to its route answers `{"name": <args.name>, "greeting": <user_config.greeting>}`,
so a caller can tell which application answered and whether a live `user_config` change
(`reconfigure`, no restart) reached it. A replica reserves a sliver of a CPU, so probes fit on
small clusters next to real work.
"""

from __future__ import annotations

from typing import Any

from ray import serve
from ray.serve import Application
from starlette.requests import Request


@serve.deployment(ray_actor_options={"num_cpus": 0.05})
class Probe:
    def __init__(self, name: str) -> None:
        self._name = name
        self._greeting: Any = None

    def reconfigure(self, user_config: dict[str, Any]) -> None:
        self._greeting = user_config.get("greeting")

    async def __call__(self, request: Request) -> dict[str, Any]:
        return {"name": self._name, "greeting": self._greeting}


def build_app(args: dict[str, Any]) -> Application:
    """Serve's application builder: `args` is the application's `args` from the Serve config."""
    return Probe.bind(str(args.get("name", "probe")))
