/** A strict RFC 4180 reader (CRLF records), to read back what toCsv wrote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"' && field === "") {
      quoted = true;
    } else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else if (ch === '"' || ch === "\r" || ch === "\n") {
      throw new Error(`unquoted ${JSON.stringify(ch)} at ${i}`);
    } else {
      field += ch;
    }
  }
  if (field !== "" || row.length > 0) throw new Error("the last record has no CRLF");
  return rows;
}
