// An answer's Telegram HTML shown on a page: its few allowed tags rebuilt
// element by element, links only to http(s), everything else as text; the
// markup is never parsed into the page itself.

const ALLOWED = new Set(["B", "STRONG", "I", "EM", "U", "INS", "S", "DEL", "CODE", "PRE", "A"]);
/** Telegram HTML as nodes: the allowed tags rebuilt, links only to http(s), all else as text. */
export function telegramHtml(html) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html").body;
  const rebuild = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.textContent);
    if (node.nodeType !== Node.ELEMENT_NODE) return document.createTextNode("");
    if (!ALLOWED.has(node.tagName)) {
      const text = document.createDocumentFragment();
      for (const child of node.childNodes) text.append(rebuild(child));
      return text;
    }
    const element = document.createElement(node.tagName.toLowerCase());
    if (node.tagName === "A") {
      const href = node.getAttribute("href") ?? "";
      if (/^https?:\/\//i.test(href)) {
        element.href = href;
        element.target = "_blank";
        element.rel = "noopener noreferrer";
      }
    }
    for (const child of node.childNodes) element.append(rebuild(child));
    return element;
  };
  const out = document.createDocumentFragment();
  for (const child of parsed.childNodes) out.append(rebuild(child));
  return out;
}
