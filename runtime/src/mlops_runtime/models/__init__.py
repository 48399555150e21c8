"""Model architectures that the model templates build, and which template builds which.

`torch_model(template_id, hyperparameters)` builds the network of an image template or of a custom
model (the Ray Train path, `mlops_runtime.train`); `tabular_model(template_id, hyperparameters, features)` builds the
scikit-learn pipeline of a table template (`mlops_runtime.train_tabular`). Builders are imported
when asked for, so a tabular job never imports torch and an image job never imports scikit-learn.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline
    from torch import nn

    from mlops_runtime.custom_model import CustomModel
    from mlops_runtime.tabular_data import FeatureColumns

__all__ = ["TABULAR_BUILDERS", "TORCH_BUILDERS", "tabular_model", "torch_model"]

# template id -> (module, builder function)
TORCH_BUILDERS: Mapping[str, tuple[str, str]] = {
    "mnist-cnn": ("mlops_runtime.models.mnist_cnn", "build_mnist_cnn"),
    "mnist-mlp": ("mlops_runtime.models.mnist_mlp", "build_mnist_mlp"),
}
TABULAR_BUILDERS: Mapping[str, tuple[str, str]] = {
    "tabular-hgb": ("mlops_runtime.models.tabular", "build_hist_gradient_boosting"),
    "tabular-logreg": ("mlops_runtime.models.tabular", "build_logistic_regression"),
}


def _builder(registry: Mapping[str, tuple[str, str]], template_id: str) -> Callable[..., Any]:
    if template_id not in registry:
        raise LookupError(
            f"no model builder for template {template_id!r} (known: {', '.join(sorted(registry))})"
        )
    module, name = registry[template_id]
    builder: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return builder


def torch_model(
    template_id: str,
    hyperparameters: Mapping[str, Any],
    custom_model: CustomModel | None = None,
) -> nn.Module:
    """The untrained network of an image template (or of the custom model version that
    `template_id` names) for a validated hyperparameter set."""
    if custom_model is not None:
        from mlops_runtime.custom_model import build_custom_model  # noqa: PLC0415

        return build_custom_model(custom_model, hyperparameters)
    model: nn.Module = _builder(TORCH_BUILDERS, template_id)(hyperparameters)
    return model


def tabular_model(
    template_id: str, hyperparameters: Mapping[str, Any], features: FeatureColumns
) -> Pipeline:
    """The unfitted scikit-learn pipeline (preprocessing and estimator) of a table template."""
    pipeline: Pipeline = _builder(TABULAR_BUILDERS, template_id)(hyperparameters, features)
    return pipeline
