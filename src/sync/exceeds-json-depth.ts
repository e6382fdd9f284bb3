/**
 * True when JSON text nests objects and arrays deeper than `max` levels. It counts brackets outside
 * strings, in one pass over the text, so it can run before anything parses it: Postgres's jsonb parser
 * refuses deep nesting ("stack depth limit exceeded"), and a body it refuses would fail the whole group
 * commit it shares. Malformed text is left for JSON.parse to refuse.
 */
export function exceedsJsonDepth(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character, a quote included.
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
