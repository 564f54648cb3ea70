// Percent-encodes URL text so that it reaches the server as written: characters that fetch/URL
// would drop, treat as a fragment or re-encode (space, tab, '#', '"', braces, brackets, '\', ...)
// become %XX (UTF-8); existing %XX escapes and the characters allowed raw in a query stay as they are.

const RAW_OK = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?]$/;

/** A lone surrogate has no UTF-8 form: it is sent as U+FFFD, as TextEncoder would. */
function encodeChar(ch: string): string {
  try {
    return encodeURIComponent(ch);
  } catch {
    return encodeURIComponent('\uFFFD');
  }
}

/** Encodes one query string ('$filter=a eq 1&$top=2'); '&' and '=' keep their meaning. */
export function encodeQuery(text: string): string {
  const chars = Array.from(text);
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '%' && /^[0-9A-Fa-f]{2}$/.test(`${chars[i + 1] ?? ''}${chars[i + 2] ?? ''}`)) out += ch;
    else if (RAW_OK.test(ch)) out += ch;
    else out += encodeChar(ch);
  }
  return out;
}

/** Encodes the value of one query option: as encodeQuery, and '&' too ('=' may stay). */
export function encodeQueryValue(text: string): string {
  return encodeQuery(text).replaceAll('&', '%26');
}
