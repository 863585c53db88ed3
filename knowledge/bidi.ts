// Unicode's bidirectional formatting characters in text one person wrote and
// another reads: U+202E (right-to-left override) in a name turns "Анна
// \u202Eнимда" into "Анна админ" and can reverse the bot's own words around
// it; the other embeddings, isolates and marks do the same more quietly.

/**
 * The explicit bidi formatting characters: embeddings and overrides
 * (U+202A–U+202E), isolates (U+2066–U+2069) and the marks LRM, RLM and ALM
 * (U+200E, U+200F, U+061C).
 */
export const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const BIDI_CONTROLS = new RegExp(BIDI_CONTROL.source, "g");

/**
 * The text without bidi formatting characters, for showing what one person
 * wrote to another. Right-to-left letters stay and are still shown right to
 * left (Unicode's bidi algorithm needs no control for that); only the
 * overrides that could reorder or disguise the text around them go.
 *
 * @example withoutBidiControls("Анна\u202eнимда") // "Аннанимда"
 */
export function withoutBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, "");
}
