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


def test_a_module_that_raises_what_it_read_gets_only_the_type_and_line_back(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MARKER-7f3a9c-node-secret")
    source = textwrap.dedent(
        f"""
        def build_model(config):
            with open({str(secret)!r}) as f:
                content = f.read()
            raise ValueError(content)
        """
    )
    verdict = check_source(source)
    assert codes(verdict) == ["build_failed"]
    problem = verdict["problems"][0]
    assert "MARKER" not in json.dumps(verdict)
    assert problem["message"].startswith("build_model(config) raised ValueError at line 5")
    assert problem["line"] == 5


def test_exceptions_classes_and_import_names_made_from_data_are_not_shown(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MarkerClassFromFile")
    path = repr(str(secret))
    made_class = (
        f"Made = type(open({path}).read(), (RuntimeError,), {{}})\n"
        "def build_model(config):\n    raise Made('x')\n"
    )
    made_import = f"__import__(open({path}).read())\n"
    made_return = (
        f"def build_model(config):\n    return type(open({path}).read(), (), {{}})()\n"
    )
    for source in (made_class, made_import, made_return):
        verdict = check_source(source)
        assert verdict["ok"] is False
        assert "MarkerClassFromFile" not in json.dumps(verdict), source


def test_a_message_written_in_the_module_is_shown_and_cut() -> None:
    long = "hidden must be even " * 50
    source = f"def build_model(config):\n    raise ValueError({long!r})\n"
    verdict = check_source(source)
    message = verdict["problems"][0]["message"]
    assert message.startswith(
        "build_model(config) raised ValueError at line 2: hidden must be even"
    )
    assert len(message) <= 500


def test_a_schema_that_is_not_a_literal_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MARKER-in-a-default")
    source = GOOD.replace(
        '"default": 32,', f'"default": 32, "description": open({str(secret)!r}).read(),'
    )
    verdict = check_source(source)
    assert codes(verdict) == ["invalid_schema"]
    assert verdict["hyperparameterSchema"] is None
    assert "MARKER" not in json.dumps(verdict)
    changed = GOOD + "\nHYPERPARAMETER_SCHEMA['properties']['hidden']['default'] = 64\n"
    assert codes(check_source(changed)) == ["invalid_schema"]
