/**
 * Environment for every Ray node process the portal starts (local heads, KubeRay pods).
 *
 * Ray starts task and actor workers at niceness 15 by default, below its own services. On a
 * small node that hands the cores to the dashboard, log monitor and metrics agents whenever they
 * wake, and a multi-threaded PyTorch step waits for its slowest thread: training ran about a
 * third slower than the same script outside Ray on 2 cores. Workers at the normal priority share
 * the cores fairly with Ray's services.
 */
export const RAY_NODE_ENVIRONMENT: Readonly<Record<string, string>> = {
  RAY_worker_niceness: '0',
};
