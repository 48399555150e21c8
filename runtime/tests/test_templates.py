"""The built-in model templates: every manifest, its default search space, the search space rules,
and which model each template builds (no Ray, no MLflow)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch

from mlops_runtime.models import TABULAR_BUILDERS, TORCH_BUILDERS, torch_model
from mlops_runtime.tabular_data import FeatureColumns
from mlops_runtime.templates import load_template, search_space_problems, template_ids

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "src" / "mlops_runtime" / "templates"
BUILT_IN = {"mnist-cnn", "mnist-mlp", "tabular-hgb", "tabular-logreg"}


def test_every_built_in_template_has_a_manifest() -> None:
    assert set(template_ids()) >= BUILT_IN
    assert {path.stem for path in TEMPLATES_DIR.glob("*.json")} == set(template_ids())


@pytest.mark.parametrize("template_id", sorted(BUILT_IN))
def test_manifest_is_complete_and_consistent(template_id: str) -> None:
    template = load_template(template_id)
    manifest = template.manifest
    assert manifest["id"] == template_id
    for key in ("version", "title", "description", "task", "entrypoint"):
        assert isinstance(manifest[key], str), key
        assert manifest[key], key
    assert manifest["task"] in {
        "image-classification",
        "tabular-classification",
        "tabular-regression",
    }
    assert template.dataset_formats
    properties = template.hyperparameter_schema["properties"]
    for name, spec in properties.items():
        assert spec.get("title"), name
        assert spec.get("description"), name
        assert "default" in spec, name
    assert template.validate_hyperparameters(template.default_hyperparameters()) == []
    assert template.search_space, "every built-in template declares a default search space"
    assert search_space_problems(template.hyperparameter_schema, template.search_space) == []
    resources = manifest["defaultResources"]
    assert resources["numWorkers"] >= 1
    assert resources["cpusPerWorker"] > 0


@pytest.mark.parametrize("template_id", sorted(BUILT_IN))
def test_each_template_has_a_model_builder_for_its_entrypoint(template_id: str) -> None:
    entrypoint = load_template(template_id).manifest["entrypoint"]
    registry = TORCH_BUILDERS if entrypoint == "mlops_runtime.train" else TABULAR_BUILDERS
    assert entrypoint in {"mlops_runtime.train", "mlops_runtime.train_tabular"}
    assert template_id in registry


def test_tabular_templates_default_to_the_sample_iris_label() -> None:
    repo = Path(__file__).resolve().parents[2]
    header = (
        (repo / "plugins" / "datasets-backend" / "samples" / "iris-synthetic.csv")
        .read_text()
        .splitlines()[0]
        .split(",")
    )
    for template_id in ("tabular-hgb", "tabular-logreg"):
        template = load_template(template_id)
        assert template.default_hyperparameters()["target_column"] in header
        assert set(template.dataset_formats) == {"csv", "parquet"}


@pytest.mark.parametrize("template_id", sorted(TORCH_BUILDERS))
def test_image_templates_take_images_and_give_ten_logits(template_id: str) -> None:
    model = torch_model(template_id, load_template(template_id).default_hyperparameters())
    model.eval()
    with torch.no_grad():
        assert model(torch.rand(3, 1, 28, 28)).shape == (3, 10)


def test_mlp_follows_its_hyperparameters() -> None:
    defaults = load_template("mnist-mlp").default_hyperparameters()
    small = torch_model("mnist-mlp", {**defaults, "hidden_layers": 1, "hidden_units": 16})
    large = torch_model("mnist-mlp", {**defaults, "hidden_layers": 3, "hidden_units": 64})
    linear = torch.nn.Linear
    assert [m.out_features for m in small.modules() if isinstance(m, linear)] == [16, 10]
    assert [m.out_features for m in large.modules() if isinstance(m, linear)] == [64, 64, 64, 10]
    # One image in a training batch works (the last batch of an epoch may hold one).
    large.train()
    large(torch.rand(1, 1, 28, 28)).sum().backward()


def test_unknown_template_has_no_builder() -> None:
    with pytest.raises(LookupError, match="tabular-hgb"):
        torch_model("tabular-hgb", {})


@pytest.mark.parametrize("template_id", sorted(TABULAR_BUILDERS))
def test_tabular_builders_give_unfitted_pipelines(template_id: str) -> None:
    from mlops_runtime.models import tabular_model  # noqa: PLC0415

    pipeline = tabular_model(
        template_id,
        load_template(template_id).default_hyperparameters(),
        FeatureColumns(numeric=("a",), categorical=("b",)),
    )
    assert [name for name, _ in pipeline.steps] == ["encode", "model"]


SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "lr": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "layers": {"type": "integer", "minimum": 1, "maximum": 4},
        "kind": {"type": "string", "enum": ["a", "b"]},
        "flag": {"type": "boolean"},
    },
}


def test_a_valid_search_space_has_no_problems() -> None:
    space = {
        "lr": {"type": "loguniform", "min": 0.0001, "max": 0.1},
        "layers": {"type": "int", "min": 1, "max": 4},
        "kind": {"type": "choice", "values": ["a", "b"]},
        "flag": {"type": "choice", "values": [True, False]},
    }
    assert search_space_problems(SCHEMA, space) == []
    assert search_space_problems(SCHEMA, {"lr": {"type": "uniform", "min": 0.1, "max": 1}}) == []


@pytest.mark.parametrize(
    ("space", "expected"),
    [
        ([], "search space: must be an object"),
        (
            {"momentum": {"type": "uniform", "min": 0, "max": 1}},
            "momentum: is not a hyperparameter",
        ),
        ({"lr": "0.1"}, "lr: must be an object"),
        ({"lr": {"type": "normal", "min": 0, "max": 1}}, "lr.type: must be one of"),
        (
            {"lr": {"type": "uniform", "min": 0.5, "max": 0.1}},
            "lr: min (0.5) must be less than max",
        ),
        (
            {"lr": {"type": "uniform", "min": 0.5, "max": 0.5}},
            "lr: min (0.5) must be less than max",
        ),
        ({"lr": {"type": "uniform", "min": 0.1}}, "lr.max: must be a number, got None"),
        ({"lr": {"type": "uniform", "min": "0", "max": 1}}, "lr.min: must be a number"),
        ({"lr": {"type": "uniform", "min": 0.1, "max": 2}}, "lr.max: must be <= 1, got 2"),
        ({"lr": {"type": "uniform", "min": 0, "max": 1}}, "lr.min: must be > 0, got 0"),
        (
            {"lr": {"type": "int", "min": 1, "max": 2}},
            "lr: a int dimension needs an integer hyperparameter",
        ),
        (
            {"layers": {"type": "uniform", "min": 1, "max": 2}},
            "layers: a uniform dimension needs a number",
        ),
        ({"layers": {"type": "int", "min": 1.5, "max": 3}}, "layers.min: must be an integer"),
        ({"layers": {"type": "int", "min": 0, "max": 3}}, "layers.min: must be >= 1, got 0"),
        ({"kind": {"type": "uniform", "min": 0, "max": 1}}, "use choice"),
        ({"kind": {"type": "choice", "values": []}}, "kind.values: must be a non-empty list"),
        ({"kind": {"type": "choice"}}, "kind.values: must be a non-empty list"),
        ({"kind": {"type": "choice", "values": ["a", "c"]}}, "kind.values[1]: must be one of"),
        ({"kind": {"type": "choice", "values": ["a", "a"]}}, "kind.values[1]: 'a' is listed twice"),
        (
            {"layers": {"type": "choice", "values": [2, "3"]}},
            "layers.values[1]: must be an integer",
        ),
        ({"lr": {"type": "choice", "values": [0.1], "min": 0}}, "lr: unknown key(s) 'min'"),
    ],
)
def test_invalid_search_spaces_are_named(space: object, expected: str) -> None:
    problems = search_space_problems(SCHEMA, space)
    assert any(expected in problem for problem in problems), problems


def test_loguniform_needs_a_positive_minimum() -> None:
    schema = {"type": "object", "properties": {"l2": {"type": "number", "minimum": 0}}}
    problems = search_space_problems(schema, {"l2": {"type": "loguniform", "min": 0, "max": 1}})
    assert problems == ["l2.min: must be > 0 on a log scale, got 0"]


def test_a_manifest_with_an_invalid_search_space_does_not_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlops_runtime import templates  # noqa: PLC0415

    manifest = json.loads((TEMPLATES_DIR / "mnist-cnn.json").read_text())
    manifest["id"] = "broken"
    manifest["searchSpace"] = {"learning_rate": {"type": "uniform", "min": 0.5, "max": 0.1}}
    (tmp_path / "broken.json").write_text(json.dumps(manifest))
    monkeypatch.setattr(templates, "_TEMPLATES_DIR", tmp_path)
    templates.load_template.cache_clear()
    try:
        with pytest.raises(ValueError, match="broken: invalid searchSpace: learning_rate: min"):
            templates.load_template("broken")
    finally:
        templates.load_template.cache_clear()
