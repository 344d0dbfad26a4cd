import type { ChannelParty, ChannelRow } from '../../main/protocol/index.js';

/** Every process a row names: users, holders, waiters, pipe ends' holders. */
function partiesOf(row: ChannelRow): readonly ChannelParty[] {
  switch (row.kind) {
    case 'queue':
      return [...row.users, ...row.blockedGetting, ...row.blockedPutting];
    case 'pipe':
      return [...row.users, ...row.ends.flatMap((end) => end.holders)];
    case 'lock':
    case 'rlock':
    case 'semaphore':
      return [...row.users, ...row.holders, ...row.waiting];
    case 'event':
      return [...row.users, ...row.waiting];
    default:
      return row.users;
  }
}

/** The channel objects the process `pid` uses now: opened, holds, or waits on. */
export function channelsUsedBy(rows: readonly ChannelRow[], pid: number): ChannelRow[] {
  return rows.filter((row) => partiesOf(row).some((party) => party.pid === pid));
}
