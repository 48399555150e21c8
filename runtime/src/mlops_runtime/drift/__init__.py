"""Drift detection without labels: black-box shift detection on softmax outputs for image models
(`images`), per-feature tests with Evidently's default rules for tables (`tables`), the reference
profile a registered version carries (`reference`) and the window of the inference log a check
reads (`inference_window`). numpy and scipy only."""
