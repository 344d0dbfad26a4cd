import type { InspectedJobPools } from '../../main/protocol/index.js';

// The pools the multiprocessing inspector saw inside the app's jobs, as the Pools view names them.

/** `crawl.py` for `python3 -u crawl.py --fast`: the script a job runs, else the job's name. */
export function jobScript(job: Pick<InspectedJobPools, 'name' | 'args'>): string {
  const script = job.args.find((arg) => !arg.startsWith('-') && /\.(py|pyw)$/.test(arg));
  return script === undefined ? job.name : script.slice(script.lastIndexOf('/') + 1);
}
