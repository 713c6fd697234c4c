// A minimal cookie-aware HTTP client over loopback, shared by the Worker
// and Lambda tests: each request sends the jar's cookies, and every
// Set-Cookie line of the reply is applied to the jar (Max-Age=0 deletes),
// as a browser would for these host-only cookies.

export class Jar {
  constructor() {
    this.cookies = new Map();
  }

  /** The Cookie header value, or undefined when the jar is empty. */
  header() {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  apply(setCookies) {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(";").map((part) => part.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const removed = attributes.some((a) => a.toLowerCase() === "max-age=0");
      if (removed) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1));
    }
  }

  names() {
    return [...this.cookies.keys()].sort();
  }
}

/**
 * Sends one request; returns { status, body, setCookies, ms }.
 * `cookie` overrides the jar's header when given (tampered cookies).
 */
export async function request(base, method, path, { jar, json, cookie } = {}) {
  const headers = {};
  const sent = cookie ?? jar?.header();
  if (sent !== undefined) headers.cookie = sent;
  if (json !== undefined) headers["content-type"] = "application/json";
  const started = performance.now();
  // Relative to `base`, which may carry a prefix (/lambda-url/<function>/).
  const response = await fetch(new URL(path.replace(/^\//, ""), base), {
    method,
    headers,
    body: json === undefined ? undefined : JSON.stringify(json),
    redirect: "manual",
  });
  const body = await response.text();
  const ms = performance.now() - started;
  const setCookies = response.headers.getSetCookie();
  if (jar && cookie === undefined) jar.apply(setCookies);
  return { status: response.status, body, setCookies, ms };
}

/** A key ring entry in the crate's text form (`KeyRing::from_text`). */
export function newKey(id) {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
  return `ss1:xchacha20poly1305:${id}:${Buffer.from(bytes).toString("base64url")}`;
}

/** Flips one character in the middle of the first cookie's value. */
export function tamper(cookieHeader) {
  const eq = cookieHeader.indexOf("=");
  const end = cookieHeader.indexOf(";") === -1 ? cookieHeader.length : cookieHeader.indexOf(";");
  const at = eq + 1 + Math.floor((end - eq - 1) / 2);
  const flipped = cookieHeader[at] === "A" ? "B" : "A";
  return cookieHeader.slice(0, at) + flipped + cookieHeader.slice(at + 1);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
