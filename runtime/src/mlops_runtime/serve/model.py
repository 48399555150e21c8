"""The deployment of one model version: an MLflow pyfunc model behind `@serve.batch`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ray import serve

from mlops_runtime.serve.batching import batch_key, concat_inputs, row_count, split_output
from mlops_runtime.serve.signature import UNNAMED_OUTPUT, output_names

__all__ = ["ModelVersion", "Prediction", "named_outputs"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prediction:
    """What a model replica answers: named output arrays, or an error. `bad_input`: the model
    (MLflow's schema enforcement) refused the input, so the caller gets a 400."""

    outputs: dict[str, np.ndarray] | None = None
    error: str | None = None
    bad_input: bool = False


def named_outputs(output: Any, names: Sequence[str]) -> dict[str, np.ndarray]:
    """A pyfunc output as named arrays: DataFrame columns and dict keys keep their names, a
    single array takes the signature's output name (or "output-0")."""
    import pandas as pd  # noqa: PLC0415

    single = names[0] if len(names) == 1 else UNNAMED_OUTPUT
    if isinstance(output, pd.DataFrame):
        return {str(column): output[column].to_numpy() for column in output.columns}
    if isinstance(output, pd.Series):
        return {str(output.name) if output.name is not None else single: output.to_numpy()}
    if isinstance(output, dict):
        return {str(name): np.asarray(value) for name, value in output.items()}
    return {single: np.asarray(output)}


@serve.deployment
class ModelVersion:
    def __init__(
        self, version: str, model_uri: str, max_batch_size: int, batch_wait_timeout_s: float
    ) -> None:
        import mlflow.pyfunc  # noqa: PLC0415

        self._version = version
        self._model = mlflow.pyfunc.load_model(model_uri)
        self._signature = self._model.metadata.signature
        self._output_names = output_names(self._signature)
        batch_queue: Any = self._predict_batch  # serve.batch's wrapper: settable at runtime
        batch_queue.set_max_batch_size(max_batch_size)
        batch_queue.set_batch_wait_timeout_s(batch_wait_timeout_s)
        logger.info("model version %s loaded from %s", version, model_uri)

    def metadata(self) -> dict[str, Any]:
        """The version's signature (MLflow's own dict form) and flavor, for the ingress."""
        flavors = self._model.metadata.flavors
        platform = next((name for name in flavors if name != "python_function"), "python_function")
        return {
            "version": self._version,
            "signature": self._signature.to_dict() if self._signature is not None else None,
            "platform": f"mlflow_{platform}",
        }

    async def predict(self, model_input: Any) -> Prediction:
        result: Prediction = await self._predict_batch(model_input)
        return result

    @serve.batch(max_batch_size=16, batch_wait_timeout_s=0.005)
    async def _predict_batch(self, inputs: list[Any]) -> list[Prediction]:
        return await asyncio.to_thread(self._predict_all, inputs)

    def _predict_all(self, inputs: list[Any]) -> list[Prediction]:
        results: list[Prediction | None] = [None] * len(inputs)
        groups: dict[Any, list[int]] = {}
        for index, model_input in enumerate(inputs):
            key = batch_key(model_input)
            if key is None:
                results[index] = self._predict_one(model_input)
            else:
                groups.setdefault(key, []).append(index)
        for indexes in groups.values():
            for index, prediction in zip(
                indexes, self._predict_group(inputs, indexes), strict=True
            ):
                results[index] = prediction
        return [
            result if result is not None else Prediction(error="no result") for result in results
        ]

    def _predict_group(self, inputs: list[Any], indexes: list[int]) -> list[Prediction]:
        if len(indexes) > 1:
            members = [inputs[index] for index in indexes]
            try:
                output = self._model.predict(concat_inputs(members))
                parts = split_output(output, [row_count(member) for member in members])
            except Exception:  # one bad member: predict each alone to find which
                parts = None
            if parts is not None:
                return [
                    Prediction(outputs=named_outputs(part, self._output_names)) for part in parts
                ]
        return [self._predict_one(inputs[index]) for index in indexes]

    def _predict_one(self, model_input: Any) -> Prediction:
        from mlflow.exceptions import MlflowException  # noqa: PLC0415

        try:
            output = self._model.predict(model_input)
        except MlflowException as error:
            bad_input = error.error_code == "INVALID_PARAMETER_VALUE"
            return Prediction(error=_short(str(error.message)), bad_input=bad_input)
        except Exception as error:
            logger.warning("model version %s failed: %s", self._version, type(error).__name__)
            return Prediction(error=f"model failed: {type(error).__name__}: {_short(str(error))}")
        return Prediction(outputs=named_outputs(output, self._output_names))


def _short(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
