// The managers' report as one HTML page with inline SVG charts (the figures
// come from handoff/'s report data): written by `npm run kb -- report`, and
// the web console's report page.
export { REPORT_STYLE, type ReportHtmlOptions, renderReportHtml } from "./html.ts";
