// The shape of bench/results/latest.json and the table printed at the end of a run.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { summarize, type Summary } from './stats.js';

export type Better = 'higher' | 'lower';

export interface Figure {
  median: number;
  min: number;
  max: number;
  unit: string;
  /** Only where the issue asks for it (frame times). */
  p95?: number;
  /** How many measurements the median is over. */
  n: number;
}

export interface ReferenceFigure extends Figure {
  name: string;
}

/**
 * A target is either on the ratio (ours against the reference, oriented so higher is better) or on our
 * own figure (an absolute budget). `max` means "at most", `min` "at least".
 */
export type Target =
  | { on: 'ratio'; min: number; text?: string }
  | { on: 'ours'; max?: number; min?: number; stat?: 'median' | 'p95' | 'max'; text?: string };

export interface Row {
  id: string;
  description: string;
  ours: Figure;
  reference: ReferenceFigure | null;
  /** ours ÷ reference for higher-is-better figures, reference ÷ ours for lower-is-better: > 1 means we are better. */
  ratio: number | null;
  target: string | null;
  pass: boolean | null;
  /** Anything a reader needs to interpret the row (method, what limits it). */
  note?: string;
}

export interface RowInput {
  id: string;
  description: string;
  unit: string;
  better: Better;
  ours: readonly number[];
  reference?: { name: string; values: readonly number[]; unit?: string };
  /** Several targets must all be met. */
  target?: Target | Target[];
  note?: string;
  withP95?: boolean;
}

function figure(values: readonly number[], unit: string, withP95: boolean): Figure {
  const summary: Summary = summarize(values);
  const out: Figure = { median: round(summary.median), min: round(summary.min), max: round(summary.max), unit, n: summary.n };
  if (withP95) out.p95 = round(summary.p95);
  return out;
}

function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  const magnitude = Math.abs(value);
  const digits = magnitude >= 1000 ? 0 : magnitude >= 100 ? 1 : magnitude >= 1 ? 2 : 4;
  return Number(value.toFixed(digits));
}

function targetText(target: Target, unit: string): string {
  if (target.text) return target.text;
  if (target.on === 'ratio') return `ratio ≥ ${target.min}`;
  const stat = target.stat ?? 'median';
  const parts: string[] = [];
  if (target.max !== undefined) parts.push(`${stat} ≤ ${target.max} ${unit}`);
  if (target.min !== undefined) parts.push(`${stat} ≥ ${target.min} ${unit}`);
  return parts.join(', ');
}

export function makeRow(input: RowInput): Row {
  const ours = figure(input.ours, input.unit, input.withP95 ?? false);
  const reference = input.reference
    ? { name: input.reference.name, ...figure(input.reference.values, input.reference.unit ?? input.unit, input.withP95 ?? false) }
    : null;
  let ratio: number | null = null;
  if (reference && Number.isFinite(ours.median) && Number.isFinite(reference.median) && ours.median > 0 && reference.median > 0) {
    const raw = input.better === 'higher' ? ours.median / reference.median : reference.median / ours.median;
    ratio = Number(raw.toFixed(3));
  }
  const targets = input.target === undefined ? [] : Array.isArray(input.target) ? input.target : [input.target];
  const oursSummary = summarize(input.ours);
  const meets = (target: Target): boolean => {
    if (target.on === 'ratio') return ratio !== null && ratio >= target.min;
    const stat = target.stat ?? 'median';
    const value = stat === 'p95' ? oursSummary.p95 : stat === 'max' ? oursSummary.max : oursSummary.median;
    return Number.isFinite(value) && (target.max === undefined || value <= target.max) && (target.min === undefined || value >= target.min);
  };
  const pass = targets.length === 0 ? null : targets.every(meets);
  const row: Row = {
    id: input.id,
    description: input.description,
    ours,
    reference,
    ratio,
    target: targets.length === 0 ? null : targets.map((target) => targetText(target, input.unit)).join(' and '),
    pass,
  };
  if (input.note) row.note = input.note;
  return row;
}

/** A row whose measurement could not be made (a peer missing, a part not built yet): kept, with why. */
export function skippedRow(id: string, description: string, why: string): Row {
  const empty: Figure = { median: Number.NaN, min: Number.NaN, max: Number.NaN, unit: '', n: 0 };
  return { id, description, ours: empty, reference: null, ratio: null, target: null, pass: null, note: `not measured: ${why}` };
}

function formatNumber(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  const magnitude = Math.abs(value);
  if (magnitude >= 10_000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function formatFigure(fig: Figure | null): string {
  if (fig === null || fig.n === 0) return '–';
  const range = fig.n > 1 ? ` (${formatNumber(fig.min)}–${formatNumber(fig.max)})` : '';
  const p95 = fig.p95 !== undefined ? `, p95 ${formatNumber(fig.p95)}` : '';
  return `${formatNumber(fig.median)}${range} ${fig.unit}${p95}`;
}

function passText(pass: boolean | null): string {
  return pass === null ? '' : pass ? 'pass' : 'MISS';
}

/** A plain-text table for the terminal. */
export function formatTable(rows: readonly Row[]): string {
  const header = ['id', 'ours: median (min–max)', 'reference', 'ratio', 'target', 'pass'];
  const body = rows.map((row) => [
    row.id,
    formatFigure(row.ours),
    row.reference ? `${row.reference.name}: ${formatFigure(row.reference)}` : '–',
    row.ratio === null ? '–' : `${row.ratio.toFixed(2)}×`,
    row.target ?? '–',
    passText(row.pass),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column].length)));
  const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(line)].join('\n');
}

/** The same table as Markdown, for docs/benchmarks.md. */
export function formatMarkdown(rows: readonly Row[]): string {
  const escape = (text: string): string => text.replaceAll('|', '\\|');
  const lines = [
    '| row | what | ours: median (min–max) | reference: median (min–max) | ratio | target | pass |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.id} | ${escape(row.description)} | ${escape(formatFigure(row.ours))} | ${
        row.reference ? escape(`${row.reference.name}: ${formatFigure(row.reference)}`) : '–'
      } | ${row.ratio === null ? '–' : `${row.ratio.toFixed(2)}×`} | ${escape(row.target ?? '–')} | ${passText(row.pass) || '–'} |`,
    );
  }
  return lines.join('\n');
}

export function writeJsonAtomically(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(data, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`);
  renameSync(temporary, path);
}
