import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ReportFigures } from '#shared/domain/reporting/figures.ts';
import { reportCsv, reportRows } from '#shared/domain/reporting/table.ts';
import { json } from '../lib/request.ts';
import { html, join } from '../web/ui/html.ts';

/** The figures as GET /staff/reports answers them: JSON, a CSV download, or a printable HTML table. */
export function reportResponse(
  figures: ReportFigures,
  format: 'json' | 'csv' | 'html',
): APIGatewayProxyStructuredResultV2 {
  if (format === 'json') return json(200, figures);
  const { from, to } = figures.period;
  return {
    statusCode: 200,
    headers: {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      ...(format === 'csv'
        ? { 'content-disposition': `attachment; filename="complaints-${from}-to-${to}.csv"` }
        : {}),
    },
    body: format === 'csv' ? reportCsv(figures) : reportHtml(figures),
  };
}

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
