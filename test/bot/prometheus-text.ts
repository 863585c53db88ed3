/** One sample line of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed exposition: the declared type of each family, and every sample. */
export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
  /** The value of the one sample with this name and exactly these labels; undefined if none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["_sum", "_count"],
};

/**
 * Parses the Prometheus text exposition format (version 0.0.4) strictly
 * enough for tests: throws on a malformed line, an unknown type, a sample
 * whose family was not declared with `# TYPE` before it, or a duplicate series.
 */
export function parsePrometheusText(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  const familyOf = (name: string) => {
    if (types.has(name)) return name;
    for (const [family, type] of types) {
      if ((SUFFIXES[type] ?? []).some((suffix) => name === family + suffix)) return family;
    }
    return undefined;
  };
  for (const [index, line] of text.split("\n").entries()) {
    const fail = (why: string) => new Error(`line ${index + 1}: ${why}: ${line}`);
    if (line === "") continue;
    if (line.startsWith("#")) {
      const [, keyword, name, rest] = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line) ?? [];
      if (!keyword || !name) continue; // a plain comment
      if (!NAME.test(name)) throw fail("bad metric name");
      if (keyword === "TYPE") {
        if (!TYPES.has(rest ?? "")) throw fail("unknown type");
        if (types.has(name)) throw fail("type declared twice");
        types.set(name, rest ?? "");
      }
      continue;
    }
    const [, name, labelText = "", valueText] =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/.exec(line) ?? [];
    if (!name || valueText === undefined) throw fail("not a sample");
    if (!familyOf(name)) throw fail("sample before its # TYPE");
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < labelText.length) {
      const match = LABEL.exec(labelText);
      if (!match?.[1]) throw fail("bad labels");
      labels[match[1]] = (match[2] ?? "").replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
    }
    const value = parseValue(valueText);
    if (value === undefined) throw fail("bad value");
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw fail("duplicate series");
    seen.add(key);
    samples.push({ name, labels, value });
  }
  return {
    types,
    samples,
    value(name, labels = {}) {
      const wanted = Object.entries(labels).sort();
      const found = samples.filter(
        (s) =>
          s.name === name &&
          JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(wanted),
      );
      if (found.length > 1) throw new Error(`${name}: ${found.length} series match`);
      return found[0]?.value;
    },
  };
}

/**
 * A sample value as Prometheus reads it (Go's ParseFloat): a decimal or
 * exponent number, or Inf, Infinity and NaN in any case with an optional sign
 * (prom-client writes NaN as "Nan").
 */
function parseValue(text: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return undefined;
  return Number(text);
}
