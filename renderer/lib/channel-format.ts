import type { ChannelParty } from '../../main/protocol/index.js';

/** A process as the Channels view names it: `consumer (pid 4121)`, or `pid 4121` when the app did not start it. */
export function partyLabel(party: ChannelParty): string {
  return party.name === null ? `pid ${party.pid}` : `${party.name} (pid ${party.pid})`;
}

/** Everyone in `parties`, or a dash when nobody. */
export function partiesLabel(parties: readonly ChannelParty[]): string {
  return parties.length === 0 ? '—' : parties.map(partyLabel).join(', ');
}

/** Items per second: whole numbers from 10 on, one decimal below. */
export function formatRate(perSecond: number): string {
  return perSecond >= 10 ? `${Math.round(perSecond).toLocaleString()}/s` : `${perSecond.toFixed(1)}/s`;
}
