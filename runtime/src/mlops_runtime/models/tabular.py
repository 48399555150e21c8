"""The scikit-learn pipelines of the tabular templates: preprocessing and estimator in one object,
so the registered model takes the raw table columns (numbers and text) and does the rest itself.

- `tabular-hgb`: numbers as they are (missing values handled by the trees), text columns ordinal
  encoded and used as native categorical features; HistGradientBoostingClassifier, or
  HistGradientBoostingRegressor when the hyperparameter `task` is "regression". No early stopping:
  the number of trees is exactly `max_iter`.
- `tabular-logreg`: numbers with missing values filled by the median, then standardized; text
  columns one-hot encoded (missing as its own category, unseen categories ignored);
  LogisticRegression.

Rare categories are grouped into one "infrequent" category beyond `MAX_CATEGORIES` per column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from mlops_runtime.tabular_data import FeatureColumns

__all__ = [
    "MAX_CATEGORIES",
    "SKOPS_TRUSTED_TYPES",
    "build_hist_gradient_boosting",
    "build_logistic_regression",
]

# Below HistGradientBoosting's 255 bins, which must hold every category code of a feature.
MAX_CATEGORIES = 250
# Types in these fitted pipelines that skops (MLflow's safe format for scikit-learn models) does not
# trust by default: the trees of HistGradientBoosting, its input check (a partial of check_array),
# the dtype the imputer keeps. The models are written by the portal's own jobs, so their loaders
# may trust exactly these; anything else in a model file still fails to load.
SKOPS_TRUSTED_TYPES = (
    "functools.partial",
    "numpy.dtype",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.utils.validation.check_array",
)


def build_hist_gradient_boosting(
    hyperparameters: Mapping[str, Any], features: FeatureColumns
) -> Pipeline:
    encode = ColumnTransformer(
        [
            ("numeric", "passthrough", list(features.numeric)),
            (
                "categorical",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    encoded_missing_value=np.nan,
                    max_categories=MAX_CATEGORIES,
                ),
                list(features.categorical),
            ),
        ]
    )
    categorical = [False] * len(features.numeric) + [True] * len(features.categorical)
    options = {
        "learning_rate": float(hyperparameters["learning_rate"]),
        "max_iter": int(hyperparameters["max_iter"]),
        "max_leaf_nodes": int(hyperparameters["max_leaf_nodes"]),
        "min_samples_leaf": int(hyperparameters["min_samples_leaf"]),
        "l2_regularization": float(hyperparameters["l2_regularization"]),
        "categorical_features": categorical if any(categorical) else None,
        "early_stopping": False,
    }
    estimator = (
        HistGradientBoostingRegressor(**options)
        if hyperparameters.get("task") == "regression"
        else HistGradientBoostingClassifier(**options)
    )
    return Pipeline([("encode", encode), ("model", estimator)])


def build_logistic_regression(
    hyperparameters: Mapping[str, Any], features: FeatureColumns
) -> Pipeline:
    encode = ColumnTransformer(
        [
            (
                "numeric",
                make_pipeline(
                    SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler()
                ),
                list(features.numeric),
            ),
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="(missing)"),
                    OneHotEncoder(
                        handle_unknown="infrequent_if_exist", max_categories=MAX_CATEGORIES
                    ),
                ),
                list(features.categorical),
            ),
        ]
    )
    estimator = LogisticRegression(
        C=float(hyperparameters["C"]),
        max_iter=int(hyperparameters["max_iter"]),
        class_weight=None if hyperparameters["class_weight"] == "none" else "balanced",
    )
    return Pipeline([("encode", encode), ("model", estimator)])
