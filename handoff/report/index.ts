export {
  formatCount,
  formatDate,
  formatDay,
  formatDuration,
  formatDurationRange,
  formatMean,
  formatPeriod,
  formatShare,
} from "./format.ts";
export { type ReportHtmlOptions, renderReportHtml } from "./html.ts";
export type { IntentTitle } from "./labels.ts";
export { formatReportText, type ReportTextOptions } from "./text.ts";
