"""check_model: the verdict on custom model sources, good and bad."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from mlops_runtime.check_model import check_source
from mlops_runtime.custom_model import load_source

SRC_DIR = Path(__file__).resolve().parents[1] / "src"

GOOD = textwrap.dedent(
    """
    from torch import nn

    HYPERPARAMETER_SCHEMA = {
        "type": "object",
        "properties": {
            "hidden": {"type": "integer", "minimum": 8, "maximum": 512, "default": 32,
                       "title": "Hidden units", "description": "Width of the hidden layer."},
        },
    }

    def build_model(config):
        return nn.Sequential(nn.Flatten(), nn.Linear(784, config["hidden"]), nn.ReLU(),
                             nn.Linear(config["hidden"], 10))
    """
)


def codes(verdict: dict[str, Any]) -> list[str]:
    return [p["code"] for p in verdict["problems"]]


def test_a_good_module_passes_with_its_schema_and_size() -> None:
    verdict = check_source(GOOD)
    assert verdict["ok"] is True, verdict
    assert verdict["problems"] == []
    assert verdict["hyperparameterSchema"]["properties"]["hidden"]["default"] == 32
    assert verdict["parameterCount"] == 784 * 32 + 32 + 32 * 10 + 10


def test_a_syntax_error_names_its_line() -> None:
    source = "from torch import nn\n\ndef build_model(config)\n    return nn.Linear(1, 1)\n"
    verdict = check_source(source)
    assert verdict["ok"] is False
    assert codes(verdict) == ["syntax_error"]
    assert verdict["problems"][0]["line"] == 3
    assert verdict["problems"][0]["message"].startswith("line 3:")


def test_a_module_without_build_model_is_rejected() -> None:
    source = "from torch import nn\n\ndef make_model(config):\n    return nn.Linear(784, 10)\n"
    verdict = check_source(source)
    assert codes(verdict) == ["missing_build_model"]
    assert "build_model" in verdict["problems"][0]["message"]


def test_a_wrong_output_shape_is_reported_with_the_shape() -> None:
    source = (
        "from torch import nn\n\ndef build_model(config):\n"
        "    return nn.Sequential(nn.Flatten(), nn.Linear(784, 7))\n"
    )
    verdict = check_source(source)
    assert codes(verdict) == ["wrong_output_shape"]
    assert "(2, 7)" in verdict["problems"][0]["message"]


def test_a_forward_that_fails_is_reported() -> None:
    # Linear(10, 10) on a (2, 1, 28, 28) batch: the shapes do not multiply.
    source = "from torch import nn\n\ndef build_model(config):\n    return nn.Linear(10, 10)\n"
    verdict = check_source(source)
    assert codes(verdict) == ["forward_failed"]


def test_an_import_error_names_the_missing_module() -> None:
    source = "import tensorflow_nonexistent_pkg\n\ndef build_model(config):\n    pass\n"
    verdict = check_source(source)
    assert codes(verdict) == ["import_error"]
    assert "tensorflow_nonexistent_pkg" in verdict["problems"][0]["message"]
    assert verdict["problems"][0]["line"] == 1


def test_build_model_returning_something_else_is_rejected() -> None:
    verdict = check_source("def build_model(config):\n    return 42\n")
    assert codes(verdict) == ["not_a_module"]
    assert "int" in verdict["problems"][0]["message"]


def test_a_schema_property_without_default_is_rejected() -> None:
    source = GOOD.replace('"default": 32,', "")
    verdict = check_source(source)
    assert codes(verdict) == ["invalid_schema"]
    assert "hidden" in verdict["problems"][0]["message"]


def test_a_failed_load_leaves_nothing_in_sys_modules() -> None:
    before = set(sys.modules)
    try:
        load_source("raise RuntimeError('boom')\n", "broken")
    except RuntimeError:
        pass
    assert set(sys.modules) - before == set()


def test_the_command_prints_one_json_verdict_line_and_exits_1_on_failure() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC_DIR),
        "MLOPS_CUSTOM_MODEL_SOURCE": "def build_model(:\n",
    }
    result = subprocess.run(
        [sys.executable, "-m", "mlops_runtime.check_model"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    verdict = json.loads(result.stdout.strip().splitlines()[-1])
    assert verdict["kind"] == "mlops.custom_model_check"
    assert codes(verdict) == ["syntax_error"]
    assert verdict["problems"][0]["line"] == 1
