import { describe, expect, it } from "vitest";
import { BOM, spreadsheetText, toCsv } from "../../scripts/csv.ts";
import { parseCsv } from "./csv-reader.ts";

describe("toCsv", () => {
  const tricky = [
    "телефон горячей линии",
    "a, b",
    'он сказал "привет"',
    "две\nстроки",
    "windows\r\nстроки",
    '"',
    "",
    " пробелы ",
  ];

  it("starts with the BOM and ends each record with CRLF", () => {
    const csv = toCsv([
      ["a", 1],
      ["b", 2.5],
    ]);
    expect(csv.startsWith(BOM)).toBe(true);
    expect(Buffer.from(csv, "utf8").subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.slice(1)).toBe("a,1\r\nb,2.5\r\n");
  });

  it("quotes commas, quotes and line breaks, doubling quotes, and reads back the same", () => {
    const csv = toCsv([tricky, ["x", "y"]]);
    expect(csv).toContain(',"a, b",');
    expect(csv).toContain('"он сказал ""привет"""');
    expect(csv).toContain('"две\nстроки"');
    expect(csv).toContain(',"""",');
    // Plain fields stay bare.
    expect(csv.slice(1).startsWith("телефон горячей линии,")).toBe(true);
    expect(parseCsv(csv.slice(BOM.length))).toEqual([tricky, ["x", "y"]]);
  });
});

describe("spreadsheetText", () => {
  it("keeps a text that starts like a formula from running as one", () => {
    for (const text of ["=1+1", "+7 999", "-5", "@SUM(A1)", "\tx", "\rx"]) {
      expect(spreadsheetText(text)).toBe(`'${text}`);
    }
    for (const text of ["телефон", "", "1+1", "a=b"]) expect(spreadsheetText(text)).toBe(text);
  });
});
