import { promises as fs } from 'node:fs';
import path from 'node:path';

/** `__version__` of the Python runtime package (runtime/src/mlops_runtime/__init__.py). */
export async function readRuntimeVersion(runtimePath: string): Promise<string> {
  const file = path.join(runtimePath, 'src', 'mlops_runtime', '__init__.py');
  let source: string;
  try {
    source = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new Error(
      `Cannot read the runtime version from ${file}: ${
        (error as Error).message
      }; set mlops.experiments.runtimePath to the runtime/ folder of the portal`,
    );
  }
  const match = /^__version__\s*=\s*["']([^"']+)["']/m.exec(source);
  if (!match) {
    throw new Error(`${file} does not set __version__ = "<version>"`);
  }
  return match[1];
}
