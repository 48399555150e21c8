"""The ingress deployment: Open Inference Protocol v2 over HTTP (FastAPI), API keys, rate
limits, input validation, the traffic split between versions, shadow copies and the inference
log. Keys, limits, weights, shadow and log settings arrive as `user_config` (`reconfigure`).

No `from __future__ import annotations` here: FastAPI reads the route signatures at runtime."""

import asyncio
import json
import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from ray import serve
from ray.exceptions import RayActorError
from starlette.exceptions import HTTPException as StarletteHTTPException

from mlops_runtime import __version__
from mlops_runtime.serve.config import IngressConfig, parse_ingress_config
from mlops_runtime.serve.errors import InputError
from mlops_runtime.serve.inference_log import InferenceLog, write_parquet
from mlops_runtime.serve.keys import ApiKey, AuthError, KeyRing, RateLimiter
from mlops_runtime.serve.metrics import InferenceMetrics
from mlops_runtime.serve.model import Prediction
from mlops_runtime.serve.oip import (
    InferenceRequest,
    inference_response,
    parse_inference_request,
)
from mlops_runtime.serve.signature import input_metadata, output_metadata, to_model_input
from mlops_runtime.serve.traffic import ShadowSampler, WeightedRouter

__all__ = ["Ingress", "app", "predict_on_a_live_replica"]

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024 * 1024
VERSION_HEADER = "X-Model-Version"
METADATA_TIMEOUT_S = 30.0
FLUSH_CHECK_S = 0.5

app = FastAPI(
    title="Model inference (Open Inference Protocol v2)",
    docs_url=None,
    redoc_url=None,
    openapi_url=None,
)
# Browsers may call the API from any origin (the portal's Try it panel among them): a caller proves
# who it is with an API key in a header, never with cookies, so no origin gains anything by CORS.
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=False,
    allow_methods=["GET", "POST", "OPTIONS"],
    allow_headers=["Authorization", "X-API-Key", "Content-Type"],
    expose_headers=[VERSION_HEADER, "Retry-After"],
    max_age=600,
)


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


@app.exception_handler(HttpError)
async def _http_error(_: Request, error: HttpError) -> JSONResponse:
    return JSONResponse({"error": error.message}, status_code=error.status, headers=error.headers)


@app.exception_handler(StarletteHTTPException)
async def _starlette_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
    return JSONResponse({"error": str(error.detail)}, status_code=error.status_code)


@app.exception_handler(RequestValidationError)
async def _validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
    return JSONResponse({"error": f"invalid request: {error.errors()}"}, status_code=400)


@dataclass(frozen=True)
class VersionMetadata:
    version: str
    signature: Any  # mlflow.models.ModelSignature | None
    platform: str


@dataclass
class _Live:
    """Everything user_config sets, swapped as one object so a request sees one config."""

    keys: KeyRing
    router: WeightedRouter
    shadow_version: str | None
    shadow: ShadowSampler | None
    log: InferenceLog | None


def _presented_key(request: Request) -> str | None:
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    return request.headers.get("x-api-key") or None


async def predict_on_a_live_replica(model: Any, model_input: Any) -> Prediction:
    """`model.predict` (a model version's DeploymentHandle), asked once more when the replica that
    took the request died before answering: Serve sends the second call to another replica, and
    inference is idempotent. A model's own failure is an answer (a Prediction with an error), and
    any other error propagates: neither is retried."""
    try:
        prediction: Prediction = await model.predict.remote(model_input)
    except RayActorError as error:  # ActorDiedError, ActorUnavailableError
        logger.warning(
            "a model replica died during a request (%s); asking another", type(error).__name__
        )
        prediction = await model.predict.remote(model_input)
    return prediction


@serve.deployment
@serve.ingress(app)
class Ingress:
    def __init__(
        self,
        model_name: str,
        versions: list[str],
        models: dict[str, Any],  # version -> DeploymentHandle of its ModelVersion
        num_replicas: int = 1,
        deployment_id: str | None = None,
    ) -> None:
        self._model_name = model_name
        self._metrics = InferenceMetrics(deployment_id)
        self._versions = list(versions)
        self._models = models
        self._limiter = RateLimiter(num_replicas)
        self._metadata: dict[str, VersionMetadata] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._flusher: asyncio.Task[None] | None = None
        self._live = self._build_live(parse_ingress_config(None, self._versions), None)

    # --- configuration -------------------------------------------------------------------

    def reconfigure(self, user_config: dict[str, Any]) -> None:
        config = parse_ingress_config(user_config, self._versions)
        previous = self._live
        self._live = self._build_live(config, previous)
        if previous.log is not None and previous.log is not self._live.log:
            previous.log.flush_all()
        logger.info(
            "ingress configured: %d keys, weights %s, shadow %s, inference log %s",
            len(config.keys),
            config.weights,
            config.shadow,
            "on" if config.inference_log else "off",
        )

    def _build_live(self, config: IngressConfig, previous: _Live | None) -> _Live:
        self._limiter.configure(config.keys)
        log = None
        if config.inference_log is not None:
            same = previous is not None and previous.log is not None
            if same and previous is not None and previous.log is not None:
                same = previous.log.settings == config.inference_log
            log = (
                previous.log
                if same and previous is not None
                else InferenceLog(config.inference_log)
            )
        router = WeightedRouter(config.weights)
        if previous is not None and previous.router.weights == config.weights:
            router = previous.router
        return _Live(
            keys=KeyRing(config.keys),
            router=router,
            shadow_version=config.shadow.version if config.shadow else None,
            shadow=ShadowSampler(config.shadow.percent) if config.shadow else None,
            log=log,
        )

    def __del__(self) -> None:
        log = getattr(self, "_live", None) and self._live.log
        if log:
            log.flush_all()

    # --- routes --------------------------------------------------------------------------

    @app.get("/v2/health/live")
    async def live(self) -> dict[str, bool]:
        return {"live": True}

    @app.get("/v2/health/ready")
    async def ready(self) -> JSONResponse:
        for version in self._versions:
            try:
                await self._version_metadata(version)
            except Exception:
                return JSONResponse({"error": f"version {version} is not ready"}, 503)
        return JSONResponse({"ready": True})

    @app.get("/v2")
    @app.get("/v2/")
    async def server_metadata(self, request: Request) -> dict[str, Any]:
        self._admit(request)
        return {"name": "mlops-runtime", "version": __version__, "extensions": []}

    @app.get("/v2/models/{name}")
    async def model_metadata(self, name: str, request: Request) -> JSONResponse:
        self._admit(request)
        self._check_name(name)
        return await self._metadata_response(self._live.router.main_version())

    @app.get("/v2/models/{name}/versions/{version}")
    async def version_metadata(self, name: str, version: str, request: Request) -> JSONResponse:
        self._admit(request)
        self._check_name(name)
        self._check_version(version)
        return await self._metadata_response(version)

    @app.get("/v2/models/{name}/ready")
    async def model_ready(self, name: str, request: Request) -> JSONResponse:
        self._admit(request)
        self._check_name(name)
        return await self._ready_response(self._live.router.main_version())

    @app.get("/v2/models/{name}/versions/{version}/ready")
    async def version_ready(self, name: str, version: str, request: Request) -> JSONResponse:
        self._admit(request)
        self._check_name(name)
        self._check_version(version)
        return await self._ready_response(version)

    @app.post("/v2/models/{name}/infer")
    async def infer(self, name: str, request: Request) -> JSONResponse:
        async def answer() -> JSONResponse:
            key = self._admit(request)
            self._check_name(name)
            return await self._infer(request, key, pinned=None)

        return await self._measured(answer)

    @app.post("/v2/models/{name}/versions/{version}/infer")
    async def infer_version(self, name: str, version: str, request: Request) -> JSONResponse:
        async def answer() -> JSONResponse:
            key = self._admit(request)
            self._check_name(name)
            self._check_version(version)
            return await self._infer(request, key, pinned=version)

        return await self._measured(answer)

    # --- helpers -------------------------------------------------------------------------

    async def _measured(self, answer: Callable[[], Awaitable[JSONResponse]]) -> JSONResponse:
        """The answer, counted in the inference metrics by version and status, errors included."""
        started = time.monotonic()
        status, version = 500, None
        try:
            response = await answer()
            status, version = response.status_code, response.headers.get(VERSION_HEADER)
            return response
        except HttpError as error:
            status, version = error.status, error.headers.get(VERSION_HEADER)
            raise
        finally:
            self._metrics.record(version, status, time.monotonic() - started)

    def _admit(self, request: Request) -> ApiKey:
        """The caller's key, or 401; then the key's rate limit, or 429 with Retry-After."""
        try:
            key = self._live.keys.authenticate(_presented_key(request))
        except AuthError as error:
            raise HttpError(401, str(error), {"WWW-Authenticate": "Bearer"}) from None
        self._metrics.key_used(key.id)
        wait = self._limiter.retry_after(key)
        if wait > 0:
            raise HttpError(
                429,
                f"rate limit of {key.requests_per_second:g} requests/s exceeded",
                {"Retry-After": str(max(1, math.ceil(wait)))},
            )
        return key

    def _check_name(self, name: str) -> None:
        if name != self._model_name:
            raise HttpError(
                404, f"unknown model '{name}'; this endpoint serves '{self._model_name}'"
            )

    def _check_version(self, version: str) -> None:
        if version not in self._models:
            raise HttpError(
                404,
                f"unknown version '{version}' of model '{self._model_name}'; "
                f"served versions: {', '.join(self._versions)}",
            )

    async def _version_metadata(self, version: str) -> VersionMetadata:
        cached = self._metadata.get(version)
        if cached is not None:
            return cached
        from mlflow.models import ModelSignature  # noqa: PLC0415

        raw = await asyncio.wait_for(
            self._models[version].metadata.remote(), timeout=METADATA_TIMEOUT_S
        )
        signature = raw.get("signature")
        metadata = VersionMetadata(
            version=version,
            signature=ModelSignature.from_dict(signature) if signature else None,
            platform=str(raw.get("platform", "mlflow")),
        )
        self._metadata[version] = metadata
        return metadata

    async def _metadata_or_503(self, version: str) -> VersionMetadata:
        try:
            return await self._version_metadata(version)
        except Exception as error:
            logger.warning("version %s metadata failed: %s", version, type(error).__name__)
            raise HttpError(503, f"version {version} is not available") from None

    async def _metadata_response(self, version: str) -> JSONResponse:
        metadata = await self._metadata_or_503(version)
        body = {
            "name": self._model_name,
            "versions": self._versions,
            "platform": metadata.platform,
            "inputs": [meta.as_json() for meta in input_metadata(metadata.signature)],
            "outputs": [meta.as_json() for meta in output_metadata(metadata.signature)],
        }
        return JSONResponse(body, headers={VERSION_HEADER: version})

    async def _ready_response(self, version: str) -> JSONResponse:
        await self._metadata_or_503(version)
        return JSONResponse(
            {"name": self._model_name, "ready": True}, headers={VERSION_HEADER: version}
        )

    async def _read_request(self, request: Request) -> InferenceRequest:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
            raise HttpError(413, f"request body is larger than {MAX_BODY_BYTES} bytes")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            raise HttpError(413, f"request body is larger than {MAX_BODY_BYTES} bytes")
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            raise HttpError(400, f"request body is not valid JSON: {error}") from None
        try:
            inference = parse_inference_request(parsed)
        except InputError as error:
            raise HttpError(400, str(error)) from None
        # The answer names the request as the inference log does, so labels can refer to it.
        return inference if inference.id else replace(inference, id=uuid.uuid4().hex)

    async def _infer(self, request: Request, key: ApiKey, pinned: str | None) -> JSONResponse:
        started = time.monotonic()
        inference = await self._read_request(request)
        live = self._live
        version = pinned or live.router.choose()
        metadata = await self._metadata_or_503(version)
        try:
            model_input = to_model_input(inference.inputs, metadata.signature)
        except InputError as error:
            raise HttpError(400, str(error), {VERSION_HEADER: version}) from None
        if (
            pinned is None
            and live.shadow is not None
            and live.shadow_version not in (None, version)
            and live.shadow.take()
        ):
            self._spawn(self._shadow(live, str(live.shadow_version), inference, key))
        prediction = await self._predict(version, model_input)
        try:
            body = inference_response(
                model_name=self._model_name,
                model_version=version,
                request_id=inference.id,
                outputs=prediction,
                requested=inference.outputs,
            )
        except InputError as error:
            raise HttpError(400, str(error), {VERSION_HEADER: version}) from None
        self._log(live, inference=inference, key=key, version=version, body=body, started=started)
        return JSONResponse(body, headers={VERSION_HEADER: version})

    async def _predict(self, version: str, model_input: Any) -> dict[str, Any]:
        try:
            prediction = await predict_on_a_live_replica(self._models[version], model_input)
        except Exception as error:
            logger.warning("version %s did not answer: %s", version, type(error).__name__)
            raise HttpError(
                503, f"version {version} is not available", {VERSION_HEADER: version}
            ) from None
        if prediction.outputs is None:
            status = 400 if prediction.bad_input else 500
            raise HttpError(
                status, prediction.error or "prediction failed", {VERSION_HEADER: version}
            )
        return prediction.outputs

    async def _shadow(
        self, live: _Live, version: str, inference: InferenceRequest, key: ApiKey
    ) -> None:
        """The shadow copy: predicted and (when sampled) logged, its answer never returned."""
        started = time.monotonic()
        try:
            metadata = await self._version_metadata(version)
            outputs = await self._predict(
                version, to_model_input(inference.inputs, metadata.signature)
            )
            body = inference_response(
                model_name=self._model_name,
                model_version=version,
                request_id=inference.id,
                outputs=outputs,
                requested=inference.outputs,
            )
        except (HttpError, InputError, asyncio.TimeoutError) as error:
            logger.info("shadow version %s skipped a request: %s", version, error)
            return
        self._log(live, inference=inference, key=key, version=version, body=body, started=started)

    def _log(
        self,
        live: _Live,
        *,
        inference: InferenceRequest,
        key: ApiKey,
        version: str,
        body: dict[str, Any],
        started: float,
    ) -> None:
        if live.log is None or not live.log.sampled():
            return
        live.log.add(
            request_id=str(inference.id),
            model_name=self._model_name,
            model_version=version,
            key_id=key.id,
            inputs=[{**tensor.describe(), "data": tensor.data} for tensor in inference.inputs],
            outputs=body["outputs"],
            latency_ms=(time.monotonic() - started) * 1000,
        )
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_loop())

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_CHECK_S)
            log = self._live.log
            if log is None or not log.due():
                continue
            batch = log.take_batch()
            try:
                await asyncio.to_thread(write_parquet, log.settings.uri, batch)
            except Exception as error:
                logger.warning("inference log write failed: %s", type(error).__name__)
                log.put_back(batch)
                await asyncio.sleep(log.settings.flush_interval_s)
