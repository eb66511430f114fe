import type { ReportFigures } from '#shared/domain/reporting/figures.ts';
import { reportRows } from '#shared/domain/reporting/table.ts';
import { html, join } from '../web/ui/html.ts';

/** The figures as a plain, printable HTML table (the annual report page is the designed one). */
export function reportHtml(figures: ReportFigures): string {
  const rows = reportRows(figures).map(
    (row) => html`<tr>
      <th scope="row"><code>${row.figure}</code></th>
      <td>${row.value ?? ''}</td>
      <td>${row.numerator}</td>
      <td>${row.denominator}</td>
      <td>${row.notRecorded}</td>
    </tr>`,
  );
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Complaint figures ${figures.period.from} to ${figures.period.to}: ${figures.provider.name}</title>
</head>
<body>
<main>
<h1>Complaint figures: ${figures.provider.name}</h1>
<p>${figures.period.from} to ${figures.period.to} (London dates, both inclusive). ${figures.homes} homes.
Definitions: docs/reporting.md.</p>
<table>
<caption>Every figure, unrounded; percentages are 0 to 100</caption>
<thead><tr><th scope="col">Figure</th><th scope="col">Value</th><th scope="col">Numerator</th><th scope="col">Denominator</th><th scope="col">Not recorded</th></tr></thead>
<tbody>${join(rows)}</tbody>
</table>
</main>
</body>
</html>`.value;
}
