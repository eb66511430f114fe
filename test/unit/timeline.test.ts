import { describe, expect, it } from 'vitest';
import { html } from '#functions/web/ui/html.ts';
import { timeline } from '#functions/web/ui/timeline.ts';

const entries = [
  {
    type: 'received',
    at: '2026-03-02T09:30:00Z',
    title: 'First',
    body: html`<p>one</p>`,
    by: 'The resident',
  },
  { type: 'note-added', at: '2026-03-03T10:00:00Z', title: 'Second <b>', body: html`<p>two</p>`, by: 'a@x' },
];

describe('the case timeline both audiences see', () => {
  it('shows residents the latest first, ruled off, and never who did it', () => {
    const out = timeline(entries, 'resident').value;
    expect(out.indexOf('Second')).toBeLessThan(out.indexOf('First'));
    expect(out).toContain('<ol class="govuk-list" reversed data-testid="timeline">');
    expect(out).toContain('govuk-section-break--visible');
    expect(out).not.toContain('The resident');
    expect(out).toContain('<time datetime="2026-03-02T09:30:00Z">');
  });

  it('shows staff the log in order with who did each thing, and escapes what it is given', () => {
    const out = timeline(entries, 'staff').value;
    expect(out.indexOf('First')).toBeLessThan(out.indexOf('Second'));
    expect(out).not.toContain('reversed');
    expect(out).toContain(' · The resident</p>');
    expect(out).toContain('data-event-type="note-added"');
    expect(out).toContain('Second &lt;b&gt;');
  });
});
