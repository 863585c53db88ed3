// Inline SVG charts for the report page: no script, no external anything.
// Every bar is a <rect> only when its value is above zero; hovering shows its
// <title>. Texts are escaped even though they are numbers and dates.
import { escapeHtml } from "../../knowledge/index.ts";

/** One stacked series: its CSS class (colour) and name for the tooltip. */
export interface Series {
  key: string;
  name: string;
}

/** One stacked column: its axis label, tooltip title and a value per series key. */
export interface StackedColumn {
  label: string;
  title: string;
  values: Readonly<Record<string, number>>;
}

/** One column of a simple column chart. */
export interface Column {
  label: string;
  value: number;
  title: string;
}

const round = (x: number) => Math.round(x * 10) / 10;

/** A whole-number axis step giving about `ticks` gridlines up to `max` (1, 2, 5 × 10^k). */
function axisStep(max: number, ticks: number): number {
  const raw = Math.max(1, max / ticks);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  return Math.max(1, Math.round(step));
}

function svgOpen(className: string, width: number, height: number, label: string): string {
  return `<svg class="chart ${className}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}">`;
}

/** Horizontal gridlines with their values on the left; returns the SVG and the axis top. */
function yAxis(
  max: number,
  box: { left: number; right: number; top: number; bottom: number },
  format: (n: number) => string,
): { svg: string; top: number } {
  const step = axisStep(max, 4);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const lines: string[] = [];
  for (let v = 0; v <= top; v += step) {
    const y = round(box.bottom - ((box.bottom - box.top) * v) / top);
    lines.push(
      `<line class="grid" x1="${box.left}" x2="${box.right}" y1="${y}" y2="${y}"/>`,
      `<text class="tick" x="${box.left - 6}" y="${y + 4}" text-anchor="end">${escapeHtml(format(v))}</text>`,
    );
  }
  return { svg: lines.join(""), top };
}

/**
 * Stacked columns (e.g. questions per day by decision), one `<g class="column">`
 * per column whatever its values, labelled under every few columns.
 */
export function stackedColumnChart(
  className: string,
  label: string,
  series: readonly Series[],
  columns: readonly StackedColumn[],
  format: (n: number) => string,
  empty: string,
): string {
  const width = 1000;
  const height = 280;
  const box = { left: 48, right: width - 8, top: 12, bottom: height - 28 };
  const totals = columns.map((c) => series.reduce((n, s) => n + (c.values[s.key] ?? 0), 0));
  const axis = yAxis(Math.max(0, ...totals), box, format);
  const slot = (box.right - box.left) / Math.max(1, columns.length);
  const barWidth = round(Math.max(1, slot * 0.72));
  const labelEvery = Math.ceil(columns.length / 12);
  const parts = [svgOpen(className, width, height, label), axis.svg];
  columns.forEach((column, i) => {
    const x = round(box.left + slot * i + (slot - barWidth) / 2);
    let y = box.bottom;
    const rects = series.map((s) => {
      const value = column.values[s.key] ?? 0;
      if (value <= 0) return "";
      // At least a pixel, so that a small non-zero value still shows.
      const h = Math.max(1, ((box.bottom - box.top) * value) / axis.top);
      y -= h;
      return `<rect class="bar s-${s.key}" x="${x}" y="${round(y)}" width="${barWidth}" height="${round(h)}"/>`;
    });
    parts.push(`<g class="column"><title>${escapeHtml(column.title)}</title>${rects.join("")}</g>`);
    if (i % labelEvery === 0) {
      parts.push(
        `<text class="tick" x="${round(x + barWidth / 2)}" y="${box.bottom + 18}" text-anchor="middle">${escapeHtml(column.label)}</text>`,
      );
    }
  });
  parts.push(
    `<line class="axis" x1="${box.left}" x2="${box.right}" y1="${box.bottom}" y2="${box.bottom}"/>`,
  );
  if (totals.every((t) => t === 0)) {
    parts.push(
      `<text class="empty" x="${width / 2}" y="${height / 2}" text-anchor="middle">${escapeHtml(empty)}</text>`,
    );
  }
  parts.push("</svg>");
  return parts.join("");
}

/** Simple columns with the value above each (histograms, the 1–5 ratings). */
export function columnChart(
  className: string,
  label: string,
  columns: readonly Column[],
  format: (n: number) => string,
): string {
  const width = 480;
  const height = 200;
  const box = { left: 8, right: width - 8, top: 22, bottom: height - 26 };
  const max = Math.max(0, ...columns.map((c) => c.value));
  const slot = (box.right - box.left) / Math.max(1, columns.length);
  const barWidth = round(slot * 0.7);
  const parts = [svgOpen(className, width, height, label)];
  columns.forEach((column, i) => {
    const x = round(box.left + slot * i + (slot - barWidth) / 2);
    const centre = round(x + barWidth / 2);
    const h = column.value > 0 ? Math.max(1, ((box.bottom - box.top) * column.value) / max) : 0;
    const y = round(box.bottom - h);
    const bar =
      column.value > 0
        ? `<rect class="bar" x="${x}" y="${y}" width="${barWidth}" height="${round(h)}"/>`
        : "";
    parts.push(
      `<g class="column"><title>${escapeHtml(column.title)}</title>${bar}`,
      `<text class="value" x="${centre}" y="${y - 6}" text-anchor="middle">${escapeHtml(format(column.value))}</text></g>`,
      `<text class="tick" x="${centre}" y="${box.bottom + 18}" text-anchor="middle">${escapeHtml(column.label)}</text>`,
    );
  });
  parts.push(
    `<line class="axis" x1="${box.left}" x2="${box.right}" y1="${box.bottom}" y2="${box.bottom}"/>`,
    "</svg>",
  );
  return parts.join("");
}

/** One bar split into shares (0..1 each), left to right in series order. */
export function shareBar(
  className: string,
  label: string,
  parts: readonly { key: string; share: number; title: string }[],
): string {
  const width = 1000;
  const height = 28;
  let x = 0;
  const rects = parts.map((p) => {
    if (p.share <= 0) return "";
    const w = Math.max(1, width * p.share);
    const rect = `<rect class="bar s-${p.key}" x="${round(x)}" y="0" width="${round(w)}" height="${height}"><title>${escapeHtml(p.title)}</title></rect>`;
    x += w;
    return rect;
  });
  return `${svgOpen(className, width, height, label)}<rect class="track" x="0" y="0" width="${width}" height="${height}"/>${rects.join("")}</svg>`;
}

/** A small bar for a table cell: `fraction` (0..1) of its width filled. */
export function inlineBar(className: string, fraction: number): string {
  const width = 80;
  const height = 10;
  const w = round(width * Math.min(1, Math.max(0, fraction)));
  const fill = w > 0 ? `<rect class="bar" x="0" y="0" width="${w}" height="${height}"/>` : "";
  return `<svg class="mini ${className}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" aria-hidden="true"><rect class="track" x="0" y="0" width="${width}" height="${height}"/>${fill}</svg>`;
}
