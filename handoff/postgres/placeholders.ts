/**
 * Rewrites SQLite's placeholders (`?`, `:name`) to PostgreSQL's (`$1`…),
 * outside string literals, quoted identifiers, comments and `::` casts. A
 * name used twice gets one number. Returns the text and the order in which
 * to pass the values: indexes into a positional list, or names.
 *
 * @example toPositional("SELECT * FROM t WHERE a = :a OR b = :a") // { text: "… $1 OR b = $1", order: ["a"] }
 */
export function toPositional(text: string): { text: string; order: (number | string)[] } {
  let out = "";
  const order: (number | string)[] = [];
  const named = new Map<string, number>();
  let positional = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === "'" || c === '"') {
      const end = closing(text, i, c);
      out += text.slice(i, end);
      i = end;
    } else if (c === "-" && next === "-") {
      const end = text.indexOf("\n", i);
      const stop = end === -1 ? text.length : end;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === ":" && next === ":") {
      out += "::";
      i += 2;
    } else if (c === ":" && next !== undefined && /[A-Za-z_]/.test(next)) {
      let j = i + 1;
      while (j < text.length && /\w/.test(text[j] as string)) j++;
      const name = text.slice(i + 1, j);
      let number = named.get(name);
      if (number === undefined) {
        order.push(name);
        number = order.length;
        named.set(name, number);
      }
      out += `$${number}`;
      i = j;
    } else if (c === "?") {
      order.push(positional++);
      out += `$${order.length}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return { text: out, order };
}

/** The index just past the literal or identifier opened by `quote` at `start` (a doubled quote escapes it). */
function closing(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return text.length;
}
