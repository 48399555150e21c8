"""Traffic split, shadow sampling and the user_config checks, without Ray."""

from __future__ import annotations

from collections import Counter

import pytest

from mlops_runtime.serve.config import deployment_name, parse_app_args, parse_ingress_config
from mlops_runtime.serve.errors import ConfigError
from mlops_runtime.serve.traffic import ShadowSampler, WeightedRouter, parse_weights


def test_weighted_router_keeps_exact_shares() -> None:
    router = WeightedRouter({"3": 80, "4": 20})
    picks = [router.choose() for _ in range(500)]
    assert Counter(picks) == {"3": 400, "4": 100}
    assert Counter(picks[:10]) == {"3": 8, "4": 2}
    assert router.main_version() == "3"


def test_shadow_sampler_takes_its_percent() -> None:
    sampler = ShadowSampler(10)
    assert sum(sampler.take() for _ in range(1000)) == 100


def test_weights_default_to_the_first_version_and_drop_zero() -> None:
    assert parse_weights(None, ["3", "4"]) == {"3": 100.0}
    assert parse_weights({"3": 100, "4": 0}, ["3", "4"]) == {"3": 100.0}
    with pytest.raises(ConfigError, match="does not serve"):
        parse_weights({"9": 100}, ["3", "4"])
    with pytest.raises(ConfigError, match="positive percent"):
        parse_weights({"3": 0}, ["3", "4"])
    with pytest.raises(ConfigError, match="between 0 and 100"):
        parse_weights({"3": 120}, ["3", "4"])


def test_user_config_is_checked() -> None:
    config = parse_ingress_config(
        {
            "weights": {"3": 90, "4": 10},
            "shadow": {"version": "4", "percent": 5},
            "inference_log": {"sample_rate": 0.1, "uri": "s3://bucket/log"},
        },
        ["3", "4"],
    )
    assert config.shadow is not None
    assert config.shadow.version == "4"
    assert config.inference_log is not None
    assert config.inference_log.batch_size == 100
    with pytest.raises(ConfigError, match=r"shadow\.version"):
        parse_ingress_config({"shadow": {"version": "5", "percent": 5}}, ["3", "4"])
    with pytest.raises(ConfigError, match=r"inference_log\.uri"):
        parse_ingress_config({"inference_log": {"uri": "http://x"}}, ["3"])
    with pytest.raises(ConfigError, match="unknown fields: limits"):
        parse_ingress_config({"limits": {}}, ["3"])


def test_app_args_are_checked() -> None:
    args = parse_app_args(
        {
            "model_name": "fraud-model",
            "versions": [
                {
                    "version": "1.2",
                    "model_uri": "models:/m/1",
                    "autoscaling_config": {"min_replicas": 1, "max_replicas": 4},
                }
            ],
            "ingress": {"num_replicas": 2},
        }
    )
    assert args.ingress_replicas == 2
    assert args.deployment_id is None
    assert args.versions[0].options == {
        "autoscaling_config": {"min_replicas": 1, "max_replicas": 4}
    }
    assert deployment_name("1.2") == "Model_1_2"
    with pytest.raises(ConfigError, match="model_name"):
        parse_app_args({"model_name": "Bad Name", "versions": []})
    one_version = [{"version": "1", "model_uri": "x"}]
    tagged = parse_app_args({"model_name": "m", "deployment_id": "6f1c-42", "versions": one_version})
    assert tagged.deployment_id == "6f1c-42"
    with pytest.raises(ConfigError, match="deployment_id"):
        parse_app_args({"model_name": "m", "deployment_id": 'x"}', "versions": one_version})
    with pytest.raises(ConfigError, match="versions must be a non-empty list"):
        parse_app_args({"model_name": "m", "versions": []})
    with pytest.raises(ConfigError, match="not both"):
        parse_app_args(
            {
                "model_name": "m",
                "versions": [
                    {"version": "1", "model_uri": "x", "num_replicas": 1, "autoscaling_config": {}}
                ],
            }
        )
