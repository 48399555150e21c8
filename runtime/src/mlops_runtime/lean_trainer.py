"""A TorchTrainer that leaves more of a small node's CPU to the training itself.

Measured on 2 cores (bench/portal_training.py): while a worker trains, Ray Train's helpers and the
dashboard answering them took about an eighth of the machine, and a multi-threaded PyTorch step
waits for whichever thread they preempt, so epochs ran about 30% slower than plain PyTorch. Two
of those helpers poll and can poll less:

- the placement-group cleaner asks Ray's state API (through the dashboard) every second whether
  the controller is alive; every 5 s is enough to clean up after a dead controller;
- the preemption watcher polls for node preemption every 5 s; the portal's clusters are not
  preemptible by default, and a preempted worker is retried by FailureConfig anyway. A job's
  environment can turn it back on with RAY_TRAIN_ENABLE_PREEMPTION_WATCHER=1.
"""

from __future__ import annotations

import os
from typing import Any

from ray.train.torch import TorchTrainer
from ray.train.v2._internal.callbacks.placement_group_callback import (
    PlacementGroupCleanerCallback,
)

__all__ = ["PLACEMENT_GROUP_CHECK_INTERVAL_S", "LeanTorchTrainer"]

PLACEMENT_GROUP_CHECK_INTERVAL_S = 5.0
PREEMPTION_WATCHER_ENV = "RAY_TRAIN_ENABLE_PREEMPTION_WATCHER"


class LeanTorchTrainer(TorchTrainer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Ray Train passes this variable from the driver to its controller when `fit` starts it.
        os.environ.setdefault(PREEMPTION_WATCHER_ENV, "0")
        super().__init__(*args, **kwargs)

    def _create_default_callbacks(self) -> list[Any]:
        return [
            PlacementGroupCleanerCallback(check_interval_s=PLACEMENT_GROUP_CHECK_INTERVAL_S)
            if type(callback) is PlacementGroupCleanerCallback
            else callback
            for callback in super()._create_default_callbacks()
        ]
