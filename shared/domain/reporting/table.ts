import type { ReportFigures } from './figures.ts';

/** One line of the report as a table: the figure's JSON path and what it is. */
export interface ReportRow {
  figure: string;
  value: string | number | null;
  numerator?: number;
  denominator?: number;
  notRecorded?: string;
}

/** Every figure of the report as rows, in the JSON's order (ratios in one row, with their parts). */
export function reportRows(figures: ReportFigures): ReportRow[] {
  const rows: ReportRow[] = [
    { figure: 'provider', value: figures.provider.id },
    { figure: 'period.from', value: figures.period.from },
    { figure: 'period.to', value: figures.period.to },
    { figure: 'homes', value: figures.homes },
  ];
  const walk = (node: unknown, path: string): void => {
    if (node === null || typeof node !== 'object') {
      rows.push({ figure: path, value: node as number | null });
      return;
    }
    const record = node as Record<string, unknown>;
    if ('numerator' in record && 'denominator' in record) {
      rows.push({
        figure: path,
        value: record.value as number | null,
        numerator: record.numerator as number,
        denominator: record.denominator as number,
      });
      return;
    }
    if ('notRecorded' in record)
      rows.push({ figure: path, value: null, notRecorded: String(record.notRecorded) });
    for (const [key, child] of Object.entries(record)) {
      if (key === 'value' || key === 'notRecorded') continue;
      walk(child, `${path}.${key}`);
    }
  };
  for (const [key, section] of Object.entries(figures.tsm)) walk(section, key);
  const {
    version: _version,
    provider: _provider,
    period: _period,
    homes: _homes,
    tsm: _tsm,
    ...rest
  } = figures;
  for (const [key, section] of Object.entries(rest)) walk(section, key);
  return rows;
}

/** A CSV field: quoted where needed, and a text cell a spreadsheet would run as a formula made inert. */
function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The report as CSV (RFC 4180, CRLF line ends): figure, value, numerator, denominator, not recorded. */
export function reportCsv(figures: ReportFigures): string {
  const lines = [['figure', 'value', 'numerator', 'denominator', 'not recorded'].join(',')];
  for (const row of reportRows(figures)) {
    lines.push(
      [row.figure, row.value, row.numerator, row.denominator, row.notRecorded].map(csvField).join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
