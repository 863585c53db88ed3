/** Byte order mark: Excel reads a CSV as UTF-8 (Cyrillic intact) only when the file starts with it. */
export const BOM = "\uFEFF";

/** A cell of the table: numbers are written as they print. */
export type CsvCell = string | number;

// RFC 4180: a field with a comma, a double quote or a line break is put in
// double quotes, and a double quote inside is doubled.
function field(cell: CsvCell): string {
  const text = String(cell);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A CSV file's text (RFC 4180): the BOM, then each row's fields joined by
 * commas, each line ended by CRLF.
 *
 * @example toCsv([["a", "b,c"]]) // '\uFEFFa,"b,c"\r\n'
 */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return BOM + rows.map((row) => `${row.map(field).join(",")}\r\n`).join("");
}

/**
 * Free text (a citizen's question) made safe for a spreadsheet: one starting
 * with `=`, `+`, `-`, `@`, a tab or a carriage return would be taken for a
 * formula (and could run one), so it gets a leading apostrophe and stays text.
 *
 * @example spreadsheetText("=HYPERLINK(…)") // "'=HYPERLINK(…)"
 */
export function spreadsheetText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
