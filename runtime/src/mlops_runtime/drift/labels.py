"""Ground-truth labels that users attach to logged requests, and the real accuracy they give."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from mlops_runtime.errors import JobError

__all__ = ["Labels", "parse_labels", "real_accuracy"]

# By request id: the class of its one input, or one per input of a batched request.
Labels = Mapping[str, tuple[str, ...]]


def parse_labels(text: str | None, env: str) -> Labels:
    """The labels of a JSON object {requestId: label or [label, ...]}; none without text."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError as error:
        raise JobError("invalid config", f"{env} is not valid JSON: {error}") from None
    if not isinstance(value, Mapping):
        raise JobError("invalid config", f"{env} must be a JSON object of request ids")
    labels: dict[str, tuple[str, ...]] = {}
    for request_id, label in value.items():
        if isinstance(label, str):
            labels[str(request_id)] = (label,)
        elif isinstance(label, list) and label and all(isinstance(item, str) for item in label):
            labels[str(request_id)] = tuple(label)
        else:
            raise JobError(
                "invalid config", f"{env}: the label of {request_id} must be a string or strings"
            )
    return labels


def real_accuracy(
    request_ids: Sequence[str], predicted: Sequence[Any], labels: Labels
) -> dict[str, Any]:
    """Accuracy on the instances whose request has a label for their position in it (instances
    of one request are consecutive); `real` None when none has."""
    correct = labelled = 0
    position = 0
    for index, request_id in enumerate(request_ids):
        position = position + 1 if index and request_ids[index - 1] == request_id else 0
        label = labels.get(request_id)
        if label is None or position >= len(label) or predicted[index] is None:
            continue
        labelled += 1
        correct += str(predicted[index]) == label[position]
    return {"real": correct / labelled if labelled else None, "labelled": labelled}
