"""The application's `args` and the ingress `user_config`, parsed and checked."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlops_runtime.serve.errors import ConfigError
from mlops_runtime.serve.inference_log import LogSettings, parse_log_settings
from mlops_runtime.serve.keys import ApiKey, parse_keys
from mlops_runtime.serve.traffic import Shadow, parse_shadow, parse_weights

__all__ = [
    "AppArgs",
    "IngressConfig",
    "VersionArgs",
    "deployment_name",
    "parse_app_args",
    "parse_ingress_config",
]

_SLUG = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_DEPLOYMENT_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_VERSION = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True)
class VersionArgs:
    version: str
    model_uri: str
    max_batch_size: int = 16
    batch_wait_timeout_s: float = 0.005
    # Serve deployment options: num_replicas or autoscaling_config, ray_actor_options.
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AppArgs:
    model_name: str
    versions: list[VersionArgs]
    ingress_options: dict[str, Any]
    ingress_replicas: int
    user_config: dict[str, Any] | None
    # The portal's id of the deployment: a tag of the ingress's metrics, so that the portal reads
    # exactly this deployment's series.
    deployment_id: str | None = None


@dataclass(frozen=True)
class IngressConfig:
    keys: list[ApiKey]
    weights: dict[str, float]
    shadow: Shadow | None
    inference_log: LogSettings | None


def deployment_name(version: str) -> str:
    """The Serve deployment name of a model version: Model_<version, [^A-Za-z0-9_] as _>."""
    return "Model_" + re.sub(r"[^A-Za-z0-9_]", "_", version)


def _deployment_options(entry: Mapping[str, Any], where: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if "num_replicas" in entry and "autoscaling_config" in entry:
        raise ConfigError(f"{where}: give num_replicas or autoscaling_config, not both")
    replicas = entry.get("num_replicas")
    if replicas is not None:
        if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 1:
            raise ConfigError(f"{where}.num_replicas must be a positive integer")
        options["num_replicas"] = replicas
    autoscaling = entry.get("autoscaling_config")
    if autoscaling is not None:
        if not isinstance(autoscaling, Mapping):
            raise ConfigError(f"{where}.autoscaling_config must be an object")
        options["autoscaling_config"] = dict(autoscaling)
    actor_options = entry.get("ray_actor_options")
    if actor_options is not None:
        if not isinstance(actor_options, Mapping):
            raise ConfigError(f"{where}.ray_actor_options must be an object")
        options["ray_actor_options"] = dict(actor_options)
    return options


def _parse_version(entry: object, index: int) -> VersionArgs:
    where = f"versions[{index}]"
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where} must be an object")
    version = entry.get("version")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise ConfigError(f"{where}.version must be 1-64 characters of [A-Za-z0-9._-]")
    model_uri = entry.get("model_uri")
    if not isinstance(model_uri, str) or not model_uri:
        raise ConfigError(f"{where}.model_uri must be a non-empty string")
    batch = entry.get("max_batch_size", 16)
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ConfigError(f"{where}.max_batch_size must be a positive integer")
    wait = entry.get("batch_wait_timeout_s", 0.005)
    if isinstance(wait, bool) or not isinstance(wait, int | float) or wait < 0:
        raise ConfigError(f"{where}.batch_wait_timeout_s must be a number >= 0")
    return VersionArgs(
        version=version,
        model_uri=model_uri,
        max_batch_size=batch,
        batch_wait_timeout_s=float(wait),
        options=_deployment_options(entry, where),
    )


def parse_app_args(args: Mapping[str, Any]) -> AppArgs:
    model_name = args.get("model_name")
    if not isinstance(model_name, str) or not _SLUG.match(model_name):
        raise ConfigError("model_name must be a slug: [a-z0-9-], 1-63 characters")
    versions_value = args.get("versions")
    if not isinstance(versions_value, list) or not versions_value:
        raise ConfigError("versions must be a non-empty list")
    versions = [_parse_version(entry, index) for index, entry in enumerate(versions_value)]
    names = [deployment_name(version.version) for version in versions]
    if len(set(names)) != len(names):
        raise ConfigError("versions: two versions map to the same deployment name")
    ingress = args.get("ingress") or {}
    if not isinstance(ingress, Mapping):
        raise ConfigError("ingress must be an object")
    user_config = ingress.get("user_config")
    if user_config is not None and not isinstance(user_config, Mapping):
        raise ConfigError("ingress.user_config must be an object")
    options = _deployment_options(ingress, "ingress")
    replicas = options.get("num_replicas")
    if replicas is None:
        autoscaling = options.get("autoscaling_config") or {}
        replicas = autoscaling.get("min_replicas") or 1
    deployment_id = args.get("deployment_id")
    if deployment_id is not None and (
        not isinstance(deployment_id, str) or not _DEPLOYMENT_ID.match(deployment_id)
    ):
        raise ConfigError("deployment_id must be 1-64 characters of [A-Za-z0-9-]")
    return AppArgs(
        model_name=model_name,
        versions=versions,
        ingress_options=options,
        ingress_replicas=int(replicas),
        user_config=dict(user_config) if user_config is not None else None,
        deployment_id=deployment_id,
    )


def parse_ingress_config(value: object, versions: list[str]) -> IngressConfig:
    """The ingress user_config: keys, weights, shadow, inference_log."""
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise ConfigError("user_config must be an object")
    unknown = set(value) - {"keys", "weights", "shadow", "inference_log"}
    if unknown:
        raise ConfigError(f"user_config has unknown fields: {', '.join(sorted(map(str, unknown)))}")
    return IngressConfig(
        keys=parse_keys(value.get("keys")),
        weights=parse_weights(value.get("weights"), versions),
        shadow=parse_shadow(value.get("shadow"), versions),
        inference_log=parse_log_settings(value.get("inference_log")),
    )
