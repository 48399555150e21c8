"""Model serving on Ray Serve: one application per portal deployment.

`app.build_app(args)` (import path `mlops_runtime.serve.app:build_app`) builds an "Ingress"
deployment (FastAPI, Open Inference Protocol v2 REST) in front of one "Model_<version>" deployment
per model version. Nothing here imports Ray or MLflow at package import time.
"""
