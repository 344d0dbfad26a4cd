import { resolve } from 'node:path';

/**
 * The workspace file given on Electron's command line (`npm start -- jobs.yaml`, or `pooldeck jobs.yaml`
 * once packaged): the first argument after the executable that names a .yaml or .yml file, resolved
 * from where npm was started (npm runs scripts in the package's folder). Null when there is none.
 */
export function workspaceArgument(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string | null {
  const found = argv.slice(1).find((arg) => !arg.startsWith('-') && /\.ya?ml$/i.test(arg));
  return found === undefined ? null : resolve(env.INIT_CWD ?? process.cwd(), found);
}
