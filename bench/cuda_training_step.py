"""The image templates' training step on a CUDA GPU with mixed precision: a check to run on a
machine with an NVIDIA GPU (no test needs one; this machine has none).

It trains the `mnist-cnn` template's CNN with the training loop's own functions
(`mlops_runtime.mnist_training`: TrainingState with a GradScaler, train_one_epoch and evaluate
under float16 autocast) on synthetic 28x28 digits (a fixed random stroke pattern per class plus
noise, so that the run needs no dataset download and must still learn), then checks:

- the model's parameters and the step run on the GPU, the forward pass under autocast yields
  float16 activations while the parameters stay float32, and the GradScaler is active;
- the loss falls and the held-out accuracy ends above 90 %;
- the drift reference profile of the trained model (softmax outputs on held-out images) is finite.

    python3 bench/cuda_training_step.py [--out result.json]

Prints one JSON object (device name, dtypes, losses, accuracy, images/s per epoch) and exits 1
when a check fails. Needs torch and numpy only (and scipy, imported by mlops_runtime.drift).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "runtime" / "src"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

SEED = 0
TRAIN, TEST = 20_000, 2_000


def synthetic_digits(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    patterns = np.random.default_rng(123).uniform(size=(10, 28, 28)) > 0.8
    labels = rng.integers(0, 10, size=count)
    images = patterns[labels] * 200.0 + rng.normal(0.0, 40.0, size=(count, 28, 28))
    return np.clip(images, 0, 255).astype(np.uint8), labels.astype(np.uint8)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=None)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--train-samples", type=int, default=TRAIN)
    parser.add_argument("--device", default="cuda", help="cpu: a dry run of the script")
    args = parser.parse_args()

    from mlops_runtime.drift.reference import image_profile
    from mlops_runtime.idx import MnistData
    from mlops_runtime.mnist_training import (
        TrainingState,
        evaluate,
        evaluation_tensors,
        make_train_loader,
        seed_everything,
        train_one_epoch,
        train_tensors,
    )
    from mlops_runtime.templates import load_template

    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print(json.dumps({"ok": False, "problem": "no CUDA device"}))
        return 1
    sync = torch.cuda.synchronize if device.type == "cuda" else lambda: None
    rng = np.random.default_rng(SEED)
    train_images, train_labels = synthetic_digits(rng, args.train_samples)
    test_images, test_labels = synthetic_digits(rng, TEST)
    data = MnistData(train_images, train_labels, test_images, test_labels)

    hyperparameters = load_template("mnist-cnn").default_hyperparameters()
    hyperparameters.update(epochs=args.epochs, train_samples=args.train_samples)
    seed_everything(SEED, deterministic=False)
    loader = make_train_loader(
        train_tensors(data, args.train_samples),
        batch_size=int(hyperparameters["batch_size"]),
        seed=SEED,
    )
    state = TrainingState.create(hyperparameters, steps_per_epoch=len(loader), device=device)

    activation_dtypes: set[str] = set()
    hook = state.model.register_forward_hook(
        lambda _module, _inputs, output: activation_dtypes.add(str(output.dtype))
    )
    epochs = []
    for epoch in range(1, args.epochs + 1):
        loader.sampler.set_epoch(epoch)  # type: ignore[attr-defined]
        sync()
        started = time.perf_counter()
        totals, count = train_one_epoch(state, state.model, loader, device)
        sync()
        seconds = time.perf_counter() - started
        epochs.append(
            {
                "epoch": epoch,
                "loss": float(totals[0]) / count,
                "trainAccuracy": float(totals[1]) / count,
                "imagesPerSecond": round(count / seconds, 1),
            }
        )
    hook.remove()
    images, labels = evaluation_tensors(data)
    eval_totals, _ = evaluate(state.model, images, labels, device)
    accuracy = float(eval_totals[1]) / len(labels)
    with torch.no_grad():
        outputs = state.model(images[:1000].to(device)).float().cpu().numpy()
    profile = image_profile(outputs, labels[:1000].numpy(), images[:1000].numpy())

    result = {
        "device": torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu",
        "torch": torch.__version__,
        "parameterDevice": str(next(state.model.parameters()).device),
        "parameterDtype": str(next(state.model.parameters()).dtype),
        "activationDtypes": sorted(activation_dtypes),
        "gradScaler": state.scaler is not None,
        "gradScale": float(state.scaler.get_scale()) if state.scaler else None,
        "epochs": epochs,
        "testAccuracy": accuracy,
        "referenceAccuracy": profile.accuracy,
        "referenceFinite": bool(np.isfinite(profile.probabilities).all()),
    }
    checks = {
        "on the GPU": result["parameterDevice"].startswith("cuda"),
        "float16 activations under autocast": "torch.float16" in activation_dtypes,
        "float32 parameters": result["parameterDtype"] == "torch.float32",
        "GradScaler active": result["gradScaler"],
        "loss falls": epochs[-1]["loss"] < epochs[0]["loss"],
        "accuracy > 90 %": accuracy > 0.9,
        "finite drift reference": result["referenceFinite"],
    }
    result["checks"] = checks
    result["ok"] = all(checks.values())
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
