// The INI dialect of supervisord's config (Python's configparser): `[section]` headers, `key = value`
// or `key: value`, `;` and `#` comments (whole lines, or after whitespace), and indented lines that
// continue the value above. Written here rather than taken from the `ini` package (in node_modules only
// as another package's dependency): that one knows neither `key: value` nor continuation lines.

export interface IniSection {
  name: string;
  /** 1-based line of the header. */
  line: number;
  /** Keys lower-cased, as configparser does. */
  values: Map<string, string>;
}

export function parseIni(text: string): IniSection[] {
  const sections: IniSection[] = [];
  let current: IniSection | null = null;
  let lastKey: string | null = null;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = stripComment(raw);
    if (line.trim() === '') continue;
    if (/^\s/.test(line) && current !== null && lastKey !== null) {
      current.values.set(lastKey, `${current.values.get(lastKey)}\n${line.trim()}`.trim());
      continue;
    }
    const header = /^\[([^\]]+)\]\s*$/.exec(line);
    if (header !== null) {
      current = { name: header[1]!.trim(), line: index + 1, values: new Map() };
      sections.push(current);
      lastKey = null;
      continue;
    }
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (pair === null) throw new Error(`line ${index + 1}: expected [section] or key = value, got: ${raw.trim()}`);
    if (current === null) throw new Error(`line ${index + 1}: ${pair[1]} comes before any [section]`);
    lastKey = pair[1]!.trim().toLowerCase();
    current.values.set(lastKey, pair[2]!.trim());
  }
  return sections;
}

function stripComment(line: string): string {
  if (/^\s*[;#]/.test(line)) return '';
  return line.replace(/\s[;#].*$/, '');
}
