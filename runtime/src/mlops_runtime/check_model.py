"""Checks a custom model module against the interface, submitted by the portal as a Ray job.

    MLOPS_CUSTOM_MODEL_SOURCE=<python source> python -m mlops_runtime.check_model [--timeout-s 60]

(`--source-file PATH` reads the source from a file instead.) Compiles the source (a syntax error
is reported with its line), then, inside a Ray task (in-process without Ray, for tests), runs the
module's top level and checks the interface of `custom_model`: a callable `build_model`; an
optional `HYPERPARAMETER_SCHEMA` (an object JSON Schema in the subset `schema` supports, every
property with a default that fits it); `build_model(defaults)` returns a `torch.nn.Module` whose
forward maps a float32 (2, 1, 28, 28) batch to (2, 10) logits. Prints exactly ONE JSON line:

    {"kind": "mlops.custom_model_check", "ok": false,
     "problems": [{"code": "syntax_error", "message": "line 3: invalid syntax", "line": 3}],
     "hyperparameterSchema": null, "parameterCount": null}

Codes: `syntax_error`, `import_error` (names the missing module), `module_error` (the top level
raised), `missing_build_model`, `invalid_schema`, `build_failed`, `not_a_module`, `forward_failed`,
`wrong_output_shape`, `timeout`. Exit status 0 when ok, 1 when not.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Mapping
from typing import Any, Final

from mlops_runtime.custom_model import default_config, load_source
from mlops_runtime.schema import validate_object

__all__ = ["CHECK_KIND", "check_source", "compile_problems", "main"]

CHECK_KIND: Final = "mlops.custom_model_check"
SOURCE_ENV: Final = "MLOPS_CUSTOM_MODEL_SOURCE"
INPUT_SHAPE: Final = (2, 1, 28, 28)
NUM_CLASSES: Final = 10


def _problem(code: str, message: str, line: int | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, **({"line": line} if line is not None else {})}


def compile_problems(source: str) -> list[dict[str, Any]]:
    """A syntax error with its line; [] when the source compiles. Runs nothing."""
    try:
        compile(source, "<custom model>", "exec", dont_inherit=True)
    except SyntaxError as error:
        line = error.lineno or 0
        return [_problem("syntax_error", f"line {line}: {error.msg}", line)]
    except ValueError as error:  # null bytes
        return [_problem("syntax_error", str(error))]
    return []


def _user_line(error: BaseException) -> int | None:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "custom model" in f.filename]
    return frames[-1].lineno if frames else None


def check_source(source: str) -> dict[str, Any]:  # noqa: PLR0911  (one return per verdict)
    """The verdict on a custom model's source. Runs its code: call inside Ray only."""
    verdict: dict[str, Any] = {
        "kind": CHECK_KIND,
        "ok": False,
        "problems": compile_problems(source),
        "hyperparameterSchema": None,
        "parameterCount": None,
    }
    if verdict["problems"]:
        return verdict
    problems: list[dict[str, Any]] = verdict["problems"]
    try:
        module = load_source(source, "check")
    except ImportError as error:
        missing = getattr(error, "name", None)
        message = (
            f"import error: no module named '{missing}'"
            " (only the portal runtime's packages are installed on the cluster)"
            if isinstance(error, ModuleNotFoundError) and missing
            else f"import error: {error}"
        )
        problems.append(_problem("import_error", message, _user_line(error)))
        return verdict
    except Exception as error:  # noqa: BLE001  (any failure of user code is a verdict)
        line = _user_line(error)
        where = f" at line {line}" if line else ""
        message = f"the module raised {type(error).__name__}{where}: {error}"
        problems.append(_problem("module_error", message, line))
        return verdict

    schema = getattr(module, "HYPERPARAMETER_SCHEMA", None)
    if schema is not None:
        schema_problem = _schema_problem(schema)
        if schema_problem:
            problems.append(_problem("invalid_schema", schema_problem))
            return verdict
        verdict["hyperparameterSchema"] = json.loads(json.dumps(schema))

    build_model = getattr(module, "build_model", None)
    if build_model is None:
        problems.append(
            _problem("missing_build_model", "the module has no build_model(config) function")
        )
        return verdict
    if not callable(build_model):
        problems.append(_problem("missing_build_model", "build_model is not callable"))
        return verdict
    _check_model(build_model, default_config(schema), verdict)
    verdict["ok"] = not problems
    return verdict


def _schema_problem(schema: object) -> str | None:
    if not isinstance(schema, Mapping) or not isinstance(schema.get("properties"), Mapping):
        return "HYPERPARAMETER_SCHEMA must be a dict with type 'object' and 'properties'"
    try:
        json.dumps(schema)
    except (TypeError, ValueError) as error:
        return f"HYPERPARAMETER_SCHEMA is not JSON: {error}"
    missing = [name for name, prop in schema["properties"].items() if "default" not in prop]
    if missing:
        return f"HYPERPARAMETER_SCHEMA: {', '.join(missing)}: needs a default"
    try:
        problems = validate_object(schema, default_config(schema))
    except ValueError as error:
        return f"HYPERPARAMETER_SCHEMA: {error}"
    return f"HYPERPARAMETER_SCHEMA defaults: {'; '.join(problems)}" if problems else None


def _check_model(build_model: Any, config: dict[str, Any], verdict: dict[str, Any]) -> None:
    import torch  # noqa: PLC0415
    from torch import nn  # noqa: PLC0415

    problems = verdict["problems"]
    try:
        model = build_model(dict(config))
    except Exception as error:  # noqa: BLE001
        line = _user_line(error)
        message = f"build_model(config) raised {type(error).__name__}: {error}"
        problems.append(_problem("build_failed", message, line))
        return
    if not isinstance(model, nn.Module):
        problems.append(
            _problem(
                "not_a_module",
                f"build_model(config) returned {type(model).__name__}, not a torch.nn.Module",
            )
        )
        return
    verdict["parameterCount"] = sum(p.numel() for p in model.parameters())
    model.eval()
    try:
        with torch.no_grad():
            output = model(torch.rand(*INPUT_SHAPE))
    except Exception as error:  # noqa: BLE001
        line = _user_line(error)
        problems.append(
            _problem(
                "forward_failed",
                f"forward on a (2, 1, 28, 28) batch raised {type(error).__name__}: {error}",
                line,
            )
        )
        return
    shape = tuple(output.shape) if isinstance(output, torch.Tensor) else None
    if shape != (INPUT_SHAPE[0], NUM_CLASSES):
        got = f"shape {shape}" if shape is not None else type(output).__name__
        problems.append(
            _problem(
                "wrong_output_shape",
                f"forward on a (2, 1, 28, 28) batch must return (2, 10) logits, got {got}",
            )
        )


def _check_in_ray(source: str, timeout_s: float) -> dict[str, Any]:
    import ray  # noqa: PLC0415

    ray.init(log_to_driver=False)
    # A fresh worker process per check: the user's module never stays in a reused worker.
    remote = ray.remote(num_cpus=0, max_retries=0, max_calls=1)(check_source)
    ref = remote.remote(source)
    try:
        result: dict[str, Any] = ray.get(ref, timeout=timeout_s)
    except ray.exceptions.GetTimeoutError:
        ray.cancel(ref, force=True)
        return {
            "kind": CHECK_KIND,
            "ok": False,
            "problems": [
                _problem("timeout", f"the check did not finish within {timeout_s:g} s")
            ],
            "hyperparameterSchema": None,
            "parameterCount": None,
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlops_runtime.check_model")
    parser.add_argument("--source-file")
    parser.add_argument("--timeout-s", type=float, default=60.0)
    parser.add_argument(
        "--in-process", action="store_true", help="check without Ray (tests)"
    )
    args = parser.parse_args(argv)
    if args.source_file:
        with open(args.source_file, encoding="utf-8") as f:
            source = f.read()
    else:
        source = os.environ.get(SOURCE_ENV, "")
    # Syntax is checked before Ray starts: it runs nothing.
    problems = compile_problems(source)
    verdict: dict[str, Any]
    if problems:
        verdict = {
            "kind": CHECK_KIND,
            "ok": False,
            "problems": problems,
            "hyperparameterSchema": None,
            "parameterCount": None,
        }
    elif args.in_process:
        verdict = check_source(source)
    else:
        verdict = _check_in_ray(source, args.timeout_s)
    sys.stdout.write(json.dumps(verdict) + "\n")
    sys.stdout.flush()
    return 0 if verdict["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
