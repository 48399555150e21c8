"""`build_app(args)`: the Ray Serve application of one portal deployment (import path
`mlops_runtime.serve.app:build_app`). Deployments: "Ingress" and one "Model_<version>" per
version; the ingress's `user_config` (keys, weights, shadow, inference log) is live."""

from __future__ import annotations

from typing import Any

from ray.serve import Application

from mlops_runtime.serve.config import deployment_name, parse_app_args, parse_ingress_config
from mlops_runtime.serve.ingress import Ingress
from mlops_runtime.serve.model import ModelVersion

__all__ = ["build_app"]


def build_app(args: dict[str, Any]) -> Application:
    """Args (see SERVE_CONTRACT): model_name, deployment_id (optional: the portal's id, a tag of the
    ingress's metrics), versions [{version, model_uri, num_replicas or
    autoscaling_config, ray_actor_options, max_batch_size, batch_wait_timeout_s}], ingress
    {num_replicas or autoscaling_config, ray_actor_options, user_config (optional: the initial
    user_config, for `serve.run` from Python; a config file sets it under `deployments`)}.
    Invalid args raise ConfigError (a ValueError) naming the field."""
    parsed = parse_app_args(args)
    names = [version.version for version in parsed.versions]
    if parsed.user_config is not None:
        parse_ingress_config(parsed.user_config, names)  # fail at build time, not in a replica
    models = {
        version.version: ModelVersion.options(  # type: ignore[attr-defined]
            name=deployment_name(version.version), **version.options
        ).bind(
            version.version, version.model_uri, version.max_batch_size, version.batch_wait_timeout_s
        )
        for version in parsed.versions
    }
    ingress_options = dict(parsed.ingress_options)
    if parsed.user_config is not None:
        ingress_options["user_config"] = parsed.user_config
    application: Application = Ingress.options(  # type: ignore[attr-defined]
        name="Ingress", **ingress_options
    ).bind(
        parsed.model_name,
        names,
        models,
        parsed.ingress_replicas,
        deployment_id=parsed.deployment_id,
    )
    return application
