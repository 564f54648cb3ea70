// The upstream's answers name its own root in absolute URLs (@odata.context, @odata.nextLink,
// @odata.deltaLink, @odata.id, Location, OData-EntityId...): the client must keep talking to us,
// so these become URLs under our root. Bodies are rewritten as they stream, never buffered whole.
//
// Only the values of annotations ("...@odata.nextLink": "<root>...") and, in a $batch answer,
// the Location / OData-EntityId / Content-Location lines of its parts: an address a person typed
// into a note stays as it was. In valid JSON an unescaped quote right after `{`, `,` or spaces
// opens a member name, so the pattern cannot start inside a string value.

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const maxNameChars = 200;
const maxSpaces = 16;

/** A URL under `from` (the root, or the root followed by / ? #) moved under `to`. */
export function rewriteUrl(value: string, from: string, to: string): string {
  if (value === from) return to;
  return value.startsWith(from) && /^[/?#]/.test(value.slice(from.length))
    ? to + value.slice(from.length)
    : value;
}

export interface BodyRewriter {
  /** rewrites what it can of `text` now, and keeps the end that a URL may go on from */
  push(text: string): string;
  /** the rest, at the end of the body */
  end(): string;
}

export function bodyRewriter(from: string, to: string): BodyRewriter {
  // some servers write / as \/ in JSON strings
  const escapedFrom = from.replace(/\//g, '\\/');
  const escapedTo = to.replace(/\//g, '\\/');
  const roots = `(${escapeRegExp(from)}|${escapeRegExp(escapedFrom)})(?=[/?#"]|\\\\/)`;
  const pattern = new RegExp(
    `((?:[{,]\\s{0,${maxSpaces}}"[^"\\\\]{0,${maxNameChars}}@[\\w.]+"\\s{0,${maxSpaces}}:\\s{0,${maxSpaces}}")` +
      `|(?:\\n(?:Location|OData-EntityId|Content-Location)[ \\t]{0,${maxSpaces}}:[ \\t]{0,${maxSpaces}}))${roots}`,
    'gi',
  );
  // the longest match: what a chunk's end must keep until the next chunk shows how it goes on
  const longest = 1 + 3 * maxSpaces + maxNameChars + 40 + escapedFrom.length + 2;
  let held = '';

  const rewrite = (text: string, final: boolean) => {
    const cut = final ? text.length : text.length - longest;
    if (cut <= 0) return { out: '', rest: text };
    let out = '';
    let at = 0;
    for (const match of text.matchAll(pattern)) {
      // a match starting before the cut ends within the text (it is at most `longest` long)
      if (match.index >= cut) break;
      out += text.slice(at, match.index) + match[1] + (match[2].includes('\\/') ? escapedTo : to);
      at = match.index + match[0].length;
    }
    const keepFrom = Math.max(cut, at);
    return { out: out + text.slice(at, keepFrom), rest: text.slice(keepFrom) };
  };

  return {
    push(text) {
      const { out, rest } = rewrite(held + text, false);
      held = rest;
      return out;
    },
    end() {
      const { out } = rewrite(held, true);
      held = '';
      return out;
    },
  };
}

/** The bytes of a JSON (or multipart) body with the upstream's URLs moved under ours. */
export function rewriteStream(from: string, to: string): TransformStream<Uint8Array, Uint8Array> {
  const rewriter = bodyRewriter(from, to);
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  return new TransformStream({
    transform(chunk, controller) {
      const out = rewriter.push(decoder.decode(chunk, { stream: true }));
      if (out) controller.enqueue(encoder.encode(out));
    },
    flush(controller) {
      const out = rewriter.push(decoder.decode()) + rewriter.end();
      if (out) controller.enqueue(encoder.encode(out));
    },
  });
}
