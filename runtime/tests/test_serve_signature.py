"""OIP v2 tensors -> pyfunc input, checked against real MLflow signatures, without Ray."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from mlflow.models import infer_signature

from mlops_runtime.serve.errors import InputError
from mlops_runtime.serve.oip import parse_inference_request
from mlops_runtime.serve.signature import input_metadata, output_metadata, to_model_input

FRAME = pd.DataFrame(
    {"age": np.array([31, 45], dtype=np.int64), "income": [1.5, 2.5], "city": ["a", "b"]}
)
COLUMNS = infer_signature(FRAME, np.array([0, 1]))
TENSOR = infer_signature(np.zeros((2, 1, 28, 28), dtype=np.float32), np.zeros((2, 10)))
NAMED = infer_signature(
    {"image": np.zeros((2, 3), dtype=np.float32), "mask": np.zeros((2,), dtype=np.bool_)}
)


def tensors(*inputs: dict[str, Any]) -> Any:
    return parse_inference_request({"inputs": list(inputs)}).inputs


def column_inputs(**changes: Any) -> list[dict[str, Any]]:
    inputs = [
        {"name": "age", "shape": [2], "datatype": "INT64", "data": [31, 45]},
        {"name": "income", "shape": [2, 1], "datatype": "FP64", "data": [[1.5], [2.5]]},
        {"name": "city", "shape": [2], "datatype": "BYTES", "data": ["a", "b"]},
    ]
    for name, change in changes.items():
        for tensor in inputs:
            if tensor["name"] == name:
                tensor.update(change)
    return inputs


def test_columns_become_a_data_frame() -> None:
    frame = to_model_input(tensors(*column_inputs()), COLUMNS)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["age", "income", "city"]
    assert frame["age"].dtype == np.int64
    assert frame["income"].tolist() == [1.5, 2.5]
    assert frame["city"].tolist() == ["a", "b"]


def test_integers_are_accepted_for_a_float_column() -> None:
    inputs = column_inputs(income={"datatype": "INT32", "data": [1, 2]})
    frame = to_model_input(tensors(*inputs), COLUMNS)
    assert isinstance(frame, pd.DataFrame)
    assert frame["income"].dtype == np.float64


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"age": {"datatype": "FP64", "data": [1.5, 2.0]}},
            "'age' has datatype FP64, the model expects INT64",
        ),
        (
            {"city": {"datatype": "FP32", "data": [1.0, 2.0]}},
            "'city' has datatype FP32, the model expects BYTES",
        ),
        ({"age": {"name": "years"}}, "unknown input 'years'"),
        ({"age": {"shape": [1, 2]}}, "a column takes shape [N] or [N, 1]"),
        (
            {"income": {"shape": [1, 1], "data": [[1.0]]}},
            "all columns need the same number of rows",
        ),
        ({"age": {"data": [31, True]}}, "must hold only integers"),
        ({"age": {"datatype": "INT8", "data": [31, 300]}}, "outside [-128, 127]"),
    ],
)
def test_column_problems_are_named(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError) as raised:
        to_model_input(tensors(*column_inputs(**changes)), COLUMNS)
    assert message in str(raised.value)


def test_a_missing_column_is_named() -> None:
    with pytest.raises(InputError, match="missing input 'city'"):
        to_model_input(tensors(*column_inputs()[:2]), COLUMNS)


def test_an_unnamed_tensor_takes_one_input_of_the_right_shape() -> None:
    data = np.random.default_rng(0).random((3, 1, 28, 28)).tolist()
    array = to_model_input(
        tensors({"name": "pixels", "shape": [3, 1, 28, 28], "datatype": "FP32", "data": data}),
        TENSOR,
    )
    assert isinstance(array, np.ndarray)
    assert array.shape == (3, 1, 28, 28)
    assert array.dtype == np.float32
    with pytest.raises(InputError, match=r"shape \[3, 784\], the model expects \['N', 1, 28, 28\]"):
        to_model_input(
            tensors({"name": "x", "shape": [3, 784], "datatype": "FP32", "data": [0.0] * 2352}),
            TENSOR,
        )
    with pytest.raises(InputError, match="has datatype BOOL, the model expects FP32"):
        to_model_input(
            tensors({"name": "x", "shape": [1, 1, 1, 1], "datatype": "BOOL", "data": [True]}),
            infer_signature(np.zeros((1, 1, 1, 1), dtype=np.float32)),
        )


def test_named_tensors_become_a_dict() -> None:
    arrays = to_model_input(
        tensors(
            {"name": "image", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]},
            {"name": "mask", "shape": [1], "datatype": "BOOL", "data": [True]},
        ),
        NAMED,
    )
    assert isinstance(arrays, dict)
    assert arrays["image"].dtype == np.float32
    assert arrays["mask"].tolist() == [True]
    with pytest.raises(InputError, match="missing input 'mask'"):
        to_model_input(
            tensors({"name": "image", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}),
            NAMED,
        )


def test_metadata_describes_inputs_and_outputs() -> None:
    assert [m.as_json() for m in input_metadata(COLUMNS)] == [
        {"name": "age", "datatype": "INT64", "shape": [-1]},
        {"name": "income", "datatype": "FP64", "shape": [-1]},
        {"name": "city", "datatype": "BYTES", "shape": [-1]},
    ]
    assert [m.as_json() for m in input_metadata(TENSOR)] == [
        {"name": "input-0", "datatype": "FP32", "shape": [-1, 1, 28, 28]}
    ]
    assert [m.name for m in output_metadata(TENSOR)] == ["output-0"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "must be a JSON object"),
        ({"inputs": "x"}, "'inputs' must be a non-empty list"),
        ({"inputs": [{"name": "a", "shape": [2], "datatype": "FP32"}]}, "has no 'data'"),
        (
            {"inputs": [{"name": "a", "shape": [-1], "datatype": "FP32", "data": []}]},
            "non-negative",
        ),
        ({"inputs": [{"name": "a", "shape": [3], "datatype": "FP32", "data": [1, 2]}]}, "needs 3"),
        (
            {"inputs": [{"name": "a", "shape": [1], "datatype": "FP32", "data": [1]}] * 2},
            "appears twice",
        ),
        (
            {"inputs": [{"name": "a", "shape": [1], "datatype": "FP32", "data": [1]}], "x": 1},
            "unknown fields: x",
        ),
    ],
)
def test_malformed_requests_are_named(body: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_inference_request(body)
