// The scaling figure: three small panels (CPU %, RSS, one tick's time) against N, the supervisor beside
// the bare floor, as a plain SVG (no plotting library: a few lines of coordinates).
interface Figures {
  cpuPercent: number;
  rssMiB: number;
  tickMs: number;
}

export interface ScalingPoint {
  count: number;
  ours: Figures;
  floor: Figures;
}

const PANEL = { width: 260, height: 200, left: 48, top: 30, bottom: 36, right: 12 };
const SERIES = [
  { key: 'ours', name: 'Pooldeck supervisor', color: '#2563eb' },
  { key: 'floor', name: 'bare Node + pidusage', color: '#9ca3af' },
] as const;

/** The axis top: the first of 1, 2, 2.5 or 5 times a power of ten at or above the value (173 → 200). */
function roundAxisTop(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((step) => step * magnitude).find((top) => top >= value)!;
}

function panel(points: readonly ScalingPoint[], field: keyof Figures, title: string, offsetX: number): string {
  const plotW = PANEL.width - PANEL.left - PANEL.right;
  const plotH = PANEL.height - PANEL.top - PANEL.bottom;
  const maxN = Math.max(...points.map((point) => point.count));
  const maxY = roundAxisTop(Math.max(...points.flatMap((point) => [point.ours[field], point.floor[field]]).filter(Number.isFinite)) || 1);
  const x = (n: number): number => offsetX + PANEL.left + (n / maxN) * plotW;
  const y = (value: number): number => PANEL.top + plotH - (value / maxY) * plotH;
  const parts = [
    `<text x="${offsetX + PANEL.width / 2}" y="18" text-anchor="middle" font-weight="bold">${title}</text>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(maxN)}" y2="${y(0)}" stroke="#333"/>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(0)}" y2="${y(maxY)}" stroke="#333"/>`,
    `<text x="${x(0) - 4}" y="${y(maxY) + 4}" text-anchor="end">${maxY.toLocaleString('en-US')}</text>`,
    `<text x="${x(0) - 4}" y="${y(0) + 4}" text-anchor="end">0</text>`,
  ];
  for (const point of points) parts.push(`<text x="${x(point.count)}" y="${y(0) + 14}" text-anchor="middle">${point.count}</text>`);
  parts.push(`<text x="${offsetX + PANEL.left + plotW / 2}" y="${PANEL.height - 4}" text-anchor="middle">live processes</text>`);
  for (const series of SERIES) {
    const coords = points.map((point) => `${x(point.count).toFixed(1)},${y(point[series.key][field]).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${series.color}" stroke-width="2" points="${coords.join(' ')}"/>`);
    for (const coord of coords) parts.push(`<circle cx="${coord.split(',')[0]}" cy="${coord.split(',')[1]}" r="3" fill="${series.color}"/>`);
  }
  return parts.join('\n');
}

export function scalingSvg(points: readonly ScalingPoint[]): string {
  const width = PANEL.width * 3;
  const height = PANEL.height + 24;
  const legend = SERIES.map(
    (series, index) =>
      `<rect x="${PANEL.left + index * 200}" y="${PANEL.height + 8}" width="12" height="12" fill="${series.color}"/><text x="${PANEL.left + index * 200 + 18}" y="${PANEL.height + 18}">${series.name}</text>`,
  ).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    panel(points, 'cpuPercent', 'CPU, % of one core', 0),
    panel(points, 'rssMiB', 'RSS, MiB', PANEL.width),
    panel(points, 'tickMs', 'one sampling tick, ms', PANEL.width * 2),
    legend,
    '</svg>',
    '',
  ].join('\n');
}
