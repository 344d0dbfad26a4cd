// Who may talk to the app over IPC. Pure, so the rules are unit-tested without Electron; ipc.ts feeds
// it what Electron reports about each message's sender.
import { APP_ORIGIN, originOf } from './app-paths.js';

export interface SenderInfo {
  /** The URL of the frame that sent the message; null when the frame is gone or unknown. */
  frameUrl: string | null | undefined;
  /** True only for the top frame of its webContents (senderFrame.parent === null). */
  isMainFrame: boolean;
  webContentsId: number;
}

export interface TrustPolicy {
  /** The only origin allowed to send commands. */
  origin: string;
  /** The ids of the webContents this app created for its own windows. */
  webContentsIds: ReadonlySet<number>;
}

export type SenderVerdict = { trusted: true } | { trusted: false; reason: string };

export function appTrustPolicy(webContentsIds: ReadonlySet<number>): TrustPolicy {
  return { origin: APP_ORIGIN, webContentsIds };
}

/** Every check must pass: a known window, its main frame, and a page of the app's own origin. */
export function checkSender(sender: SenderInfo, policy: TrustPolicy): SenderVerdict {
  if (!policy.webContentsIds.has(sender.webContentsId)) {
    return { trusted: false, reason: `webContents ${sender.webContentsId} was not created by Pooldeck` };
  }
  if (!sender.isMainFrame) return { trusted: false, reason: 'sent from a subframe' };
  const origin = originOf(sender.frameUrl);
  if (origin === null) return { trusted: false, reason: 'the sender frame has no valid URL' };
  if (origin !== policy.origin) return { trusted: false, reason: `foreign origin ${origin}` };
  return { trusted: true };
}

export function isTrustedSender(sender: SenderInfo, policy: TrustPolicy): boolean {
  return checkSender(sender, policy).trusted;
}
