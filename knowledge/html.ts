/**
 * Escapes text for Telegram's HTML parse mode: &, < and > (and quotes, so the
 * result is safe inside an attribute too).
 *
 * @example escapeHtml("<b>") // "&lt;b&gt;"
 */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

const ALLOWED_TAGS = new Set(["b", "i", "u", "s", "a", "code", "blockquote"]);
const TAG = /<(\/?)([a-z-]*)([^>]*)>/g;
const ENTITY = /&(?!(amp|lt|gt|quot|#\d+);)/;

/**
 * Checks that an answer uses only the tags Telegram accepts that we allow,
 * properly nested, with `<a>` carrying only an href, and no bare `&`.
 * Returns the problems found; an empty list means the HTML is fine.
 */
export function checkHtml(html: string): string[] {
  const problems: string[] = [];
  const open: string[] = [];
  for (const match of html.matchAll(TAG)) {
    const [, closing, name = "", rest = ""] = match;
    if (!ALLOWED_TAGS.has(name)) {
      problems.push(
        `tag <${closing}${name}> is not allowed; use ${[...ALLOWED_TAGS].map((t) => `<${t}>`).join(" ")} or write &lt; for a "<"`,
      );
      continue;
    }
    if (closing) {
      const last = open.pop();
      if (last !== name) problems.push(`</${name}> closes ${last ? `<${last}>` : "nothing"}`);
      // Telegram refuses "</b x>": an end tag is its name and nothing else.
      if (rest.trim() !== "") problems.push(`</${name}> takes no attributes`);
    } else {
      if (name === "a" && !/^\s+href="[^"]+"\s*$/.test(rest)) {
        problems.push('<a> needs exactly one attribute: href="https://..."');
      } else if (name !== "a" && rest.trim() !== "") {
        problems.push(`<${name}> takes no attributes`);
      }
      open.push(name);
    }
  }
  for (const name of open) problems.push(`<${name}> is never closed`);
  const stray = html.replace(TAG, "");
  if (/[<>]/.test(stray)) problems.push('write &lt; and &gt; for "<" and ">" in text');
  if (ENTITY.test(stray)) problems.push('write &amp; for "&" in text');
  return problems;
}

/** Every href in an answer. */
export function hrefsOf(html: string): string[] {
  return [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1] as string);
}

/** The visible text of an HTML answer: tags removed, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(TAG, "")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&");
}
