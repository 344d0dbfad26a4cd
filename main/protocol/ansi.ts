// CSI (colours, cursor moves), OSC (titles, links; ended by BEL or ESC \) and two-character escapes:
// a fixed pattern, linear time.
// eslint-disable-next-line no-control-regex
const ANSI_SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** The text a person reads, without terminal escape sequences: what log search matches against. */
export function stripAnsi(text: string): string {
  return text.includes('\x1b') ? text.replace(ANSI_SEQUENCE, '') : text;
}
