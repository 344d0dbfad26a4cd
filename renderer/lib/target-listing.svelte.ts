import type { CommandArgs, CommandOutcome, TargetList, TargetInfo } from '../../main/protocol/index.js';

/** The app's listTargets command. */
export type ListTargets = (args: CommandArgs<'listTargets'>) => Promise<CommandOutcome<TargetList>>;

/** How long typing must pause before the file is listed: one helper run per path, not per keystroke. */
export const LIST_DELAY_MS = 300;

/**
 * The functions and classes of the file Function mode points at, asked of the helper (the app never
 * parses Python). Only the newest request counts: an answer for a path the user has since changed is
 * dropped.
 */
export class TargetListing {
  status = $state<'idle' | 'loading' | 'listed' | 'failed'>('idle');
  targets = $state.raw<readonly TargetInfo[]>([]);
  language = $state<'python' | 'node' | null>(null);
  error = $state<string | null>(null);
  readonly #listTargets: ListTargets;
  #request = 0;

  constructor(listTargets: ListTargets) {
    this.#listTargets = listTargets;
  }

  /**
   * Lists `file` (resolved against `cwd` by the app); an empty file clears the list. Resolves to false
   * when a newer request overtook this one (its answer was dropped).
   */
  async list(file: string, cwd: string): Promise<boolean> {
    const request = ++this.#request;
    if (file === '') {
      this.#settle('idle', [], null, null);
      return true;
    }
    this.status = 'loading';
    const outcome = await this.#listTargets(cwd === '' ? { file } : { file, cwd });
    if (request !== this.#request) return false;
    if (outcome.ok) this.#settle('listed', outcome.value.targets, outcome.value.language, null);
    else this.#settle('failed', [], null, outcome.error.message);
    return true;
  }

  /** Forgets any answer still on its way (the form closed, or the path changed again). */
  cancel(): void {
    this.#request++;
  }

  has(name: string): boolean {
    return this.targets.some((target) => target.name === name);
  }

  #settle(status: TargetListing['status'], targets: readonly TargetInfo[], language: TargetListing['language'], error: string | null) {
    this.status = status;
    this.targets = targets;
    this.language = language;
    this.error = error;
  }
}

/** The first line of a docstring, for a one-line list. */
export function firstDocLine(doc: string | null): string | null {
  const line = doc?.trim().split('\n', 1)[0]?.trim();
  return line ? line : null;
}
