"""LeanTorchTrainer: Ray Train's polling helpers slowed down, everything else as TorchTrainer."""

from __future__ import annotations

import os

import pytest
import ray.train
from ray.train.torch import TorchTrainer
from ray.train.v2._internal.callbacks.placement_group_callback import (
    PlacementGroupCleanerCallback,
)

from mlops_runtime.lean_trainer import PLACEMENT_GROUP_CHECK_INTERVAL_S, LeanTorchTrainer

WATCHER = "RAY_TRAIN_ENABLE_PREEMPTION_WATCHER"


def _loop(config: dict[str, object]) -> None:
    pass


def _without_watcher_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    # setenv first, so that the test's changes to the variable are undone afterwards.
    monkeypatch.setenv(WATCHER, "unset")
    monkeypatch.delenv(WATCHER)


def _trainer(cls: type[TorchTrainer]) -> TorchTrainer:
    return cls(_loop, scaling_config=ray.train.ScalingConfig(num_workers=1))


def test_the_placement_group_cleaner_polls_every_5_seconds_and_nothing_else_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _without_watcher_setting(monkeypatch)
    lean = _trainer(LeanTorchTrainer)._create_default_callbacks()
    plain = _trainer(TorchTrainer)._create_default_callbacks()

    cleaners = [cb for cb in lean if isinstance(cb, PlacementGroupCleanerCallback)]
    assert len(cleaners) == 1
    assert cleaners[0]._check_interval_s == PLACEMENT_GROUP_CHECK_INTERVAL_S
    assert [type(cb) for cb in lean] == [type(cb) for cb in plain]


def test_the_preemption_watcher_is_off_unless_the_job_turns_it_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _without_watcher_setting(monkeypatch)
    _trainer(LeanTorchTrainer)
    assert os.environ[WATCHER] == "0"

    monkeypatch.setenv(WATCHER, "1")
    _trainer(LeanTorchTrainer)
    assert os.environ[WATCHER] == "1"
