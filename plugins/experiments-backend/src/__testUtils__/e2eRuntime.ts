import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PYTHON_JOB = `
import hashlib, json, os, sys, time, urllib.request

config = json.loads(os.environ["MLOPS_JOB_CONFIG"])
params = config["hyperparameters"]
dataset = config["dataset"]


def emit(kind, **fields):
    print(json.dumps({"kind": "mlops." + kind, **fields}), flush=True)


def mlflow(path, body):
    request = urllib.request.Request(
        config["mlflow"]["trackingUri"] + "/api/2.0/mlflow/" + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    return json.load(urllib.request.urlopen(request))


print("job", config["jobId"], "seed", config["seed"], flush=True)
for file in dataset["files"]:
    with open(file["path"], "rb") as content:
        if hashlib.sha256(content.read()).hexdigest() != file["sha256"]:
            raise ValueError("dataset file " + file["name"] + " does not match its version")
print("dataset", dataset["name"], dataset["version"] + ":", len(dataset["files"]), "files verified", flush=True)
if params["mode"] == "raise":
    print("loading", dataset["files"][0]["name"], flush=True)
    raise ValueError("labels and images differ in length")
if params["mode"] == "error":
    folder = os.path.dirname(dataset["files"][0]["path"])
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
 * A runtime folder for end-to-end tests: one template, "e2e-job", whose entrypoint is a small
 * Python module that checks the dataset files it is given against their sha256, then behaves as
 * its `mode` hyperparameter says (succeed after logging to MLflow, raise, report a known error,
 * or sleep), printing the runtime's `mlops.*` lines.
 */
export async function createE2eRuntime(): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-e2e-runtime-'));
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
