/** Milliseconds with the precision that suits their size: 0.84 ms, 12.3 ms, 145 ms, 51.9 s. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ms`;
}

/** Counts and rates: 1,234 or 36.6. */
export const figure = (value: number, digits = value >= 100 ? 0 : 1) =>
  Number.isFinite(value) ? value.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a';

export const percent = (share: number) => `${Math.round(100 * share)}%`;

/**
 * A markdown pipe table as the README has them, one column per entry of `columns` (its title and
 * how a row shows in it): the first column left-aligned, the others right-aligned.
 */
export function table<R>(rows: R[], columns: Record<string, (row: R) => string | number>): string {
  const header = Object.keys(columns);
  const cells = rows.map((row) => Object.values(columns).map((cell) => String(cell(row))));
  const widths = header.map((title, i) => Math.max(3, title.length, ...cells.map((row) => row[i].length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((width, i) => (i === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}
