import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PYTHON_JOB = `
import base64, hashlib, json, os, sys, time, urllib.request

config = json.loads(os.environ["MLOPS_JOB_CONFIG"])
params = config["hyperparameters"]
dataset = config["dataset"]


def emit(kind, **fields):
    print(json.dumps({"kind": "mlops." + kind, **fields}), flush=True)


def mlflow(path, body):
    headers = {"Content-Type": "application/json"}
    # The team's MLflow user, as MLflow's own client reads it.
    if "MLFLOW_TRACKING_USERNAME" in os.environ:
        user = os.environ["MLFLOW_TRACKING_USERNAME"] + ":" + os.environ["MLFLOW_TRACKING_PASSWORD"]
        headers["Authorization"] = "Basic " + base64.b64encode(user.encode()).decode()
    request = urllib.request.Request(
        config["mlflow"]["trackingUri"] + "/api/2.0/mlflow/" + path,
        data=json.dumps(body).encode(),
        headers=headers,
    )
    return json.load(urllib.request.urlopen(request))


def read(file):
    if "url" in file:
        with urllib.request.urlopen(file["url"]) as response:
            return response.read()
    with open(file["path"], "rb") as content:
        return content.read()


print("job", config["jobId"], "seed", config["seed"], flush=True)
for file in dataset["files"]:
    if hashlib.sha256(read(file)).hexdigest() != file["sha256"]:
        raise ValueError("dataset file " + file["name"] + " does not match its version")
print("dataset", dataset["name"], dataset["version"] + ":", len(dataset["files"]), "files verified", flush=True)
if params["mode"] == "raise":
    print("loading", dataset["files"][0]["name"], flush=True)
    raise ValueError("labels and images differ in length")
if params["mode"] == "error":
    folder = os.path.dirname(dataset["files"][0].get("path", "/datasets/" + dataset["name"]))
    emit("error", reason="dataset not found", message="no IDX files in " + folder + "/missing")
    sys.exit(2)

experiment = mlflow("experiments/create", {"name": "e2e-" + config["jobId"]})["experiment_id"]
run = mlflow("runs/create", {"experiment_id": experiment, "start_time": int(time.time() * 1000)})["run"]["info"]["run_id"]
emit("run_started", mlflowRunId=run, mlflowExperimentId=experiment)
for step, loss in enumerate([0.9, 0.5, 0.3]):
    mlflow("runs/log-metric", {"run_id": run, "key": "loss", "value": loss, "timestamp": int(time.time() * 1000), "step": step})
time.sleep(params["seconds"])
emit("result", mlflowRunId=run, mlflowExperimentId=experiment, registeredModel={"name": config["modelName"], "version": "1"})
`;

/**
 * A new temporary folder that the Ray nodes of the test stack, which may run as another user
 * (scripts/lib/ray_user.py), can read: mkdtemp makes it 0700.
 */
export async function rayReadableTempDir(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  await fs.chmod(dir, 0o755);
  return dir;
}

/**
 * `training` in `parent` (made passable), where the jobs of every Ray user may write and none
 * may list or remove another's: the mode scripts/lib/ray_user.py gives mlops.experiments.storagePath.
 */
export async function rayStoragePath(parent: string): Promise<string> {
  await fs.chmod(parent, 0o711);
  const storage = path.join(parent, 'training');
  await fs.mkdir(storage, { recursive: true });
  await fs.chmod(storage, 0o1733);
  return storage;
}

/**
 * A runtime folder for end-to-end tests: one template, "e2e-job", whose entrypoint is a small
 * Python module that checks the dataset files it is given (a URL or a path) against their sha256,
 * then behaves as
 * its `mode` hyperparameter says (succeed after logging to MLflow, raise, report a known error,
 * or sleep), printing the runtime's `mlops.*` lines.
 */
export async function createE2eRuntime(): Promise<string> {
  const root = await rayReadableTempDir('mlops-e2e-runtime-');
  const pkg = path.join(root, 'src', 'mlops_runtime');
  await fs.mkdir(path.join(pkg, 'templates'), { recursive: true });
  await fs.writeFile(path.join(pkg, '__init__.py'), '__version__ = "9.8.7"\n');
  await fs.writeFile(
    path.join(pkg, 'templates', 'e2e-job.json'),
    JSON.stringify({
      id: 'e2e-job',
      version: '1.0.0',
      title: 'End-to-end test job',
      description: 'Prints the lines a training job prints; no training.',
      task: 'image-classification',
      datasetFormats: ['idx'],
      entrypoint: 'mlops_e2e_job',
      hyperparameterSchema: {
        type: 'object',
        properties: {
          mode: {
            type: 'string',
            enum: ['succeed', 'raise', 'error'],
            default: 'succeed',
          },
          seconds: { type: 'number', minimum: 0, maximum: 120, default: 0 },
        },
      },
      defaultResources: { numWorkers: 1, cpusPerWorker: 0.1, useGpu: false },
    }),
  );
  await fs.writeFile(path.join(root, 'src', 'mlops_e2e_job.py'), PYTHON_JOB);
  return root;
}
