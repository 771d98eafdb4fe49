// The HTML report of `replay --report-format html` / `--html FILE`, loaded by a dynamic import()
// only when one is asked for: the timeline consumer fed by the run and the page renderer stay
// out of the start-up code (test/e2e/html-lazy.test.ts), and a replay without HTML builds,
// feeds and renders nothing of it.
import type { Report } from '../report/index.js';
import { renderHtml } from '../report/html.js';
import { TimelineConsumer } from '../report/timeline.js';

export function timelineConsumer(): TimelineConsumer {
  return new TimelineConsumer();
}

/** The page: the run's Report (the one the table and JSON show) and the consumer's bins. */
export function renderPage(report: Report, timeline: TimelineConsumer): string {
  return renderHtml(report, timeline.finish());
}
