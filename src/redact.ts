// Secrets (tokens, passwords, header values) must never reach any output. Every string that
// leaves the process through a reporter or a log passes through one Redactor.

const MASK = '***'
/** Header values shorter than this are not treated as secrets on their own (e.g. "1"). */
const MIN_SECRET_LENGTH = 3

export class Redactor {
  private readonly secrets: string[] = []

  add(secret: string | undefined): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return
    // Also the forms a secret takes inside JSON (the report is redacted after JSON.stringify)
    // and inside a URL, so that quoting or escaping never lets it through.
    const forms = [secret, JSON.stringify(secret).slice(1, -1), uriEncoded(secret)]
    for (const form of forms) {
      if (form !== undefined && !this.secrets.includes(form)) this.secrets.push(form)
    }
    // Longest first, so a secret that contains another is masked whole.
    this.secrets.sort((a, b) => b.length - a.length)
  }

  /** Registers the values of `Name: value` header lines, before they are even validated. */
  addHeaderValues(lines: string | undefined): void {
    for (const line of (lines ?? '').split(/\r?\n/)) this.add(line.split(':').slice(1).join(':').trim())
  }

  list(): readonly string[] {
    return this.secrets
  }

  /**
   * JSON with every string value redacted before it is serialised. Redacting the serialised
   * text instead would also mask digits inside numbers when a secret is numeric (a tenant ID
   * such as 123456), and the output would no longer be valid JSON.
   */
  json(value: unknown, space?: number): string {
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'string' ? this.redact(item) : item), space)
  }

  redact(text: string): string {
    let result = text
    for (const secret of this.secrets) result = result.split(secret).join(MASK)
    return result
  }
}

function uriEncoded(text: string): string | undefined {
  try {
    return encodeURIComponent(text)
  } catch {
    return undefined // a lone surrogate cannot be percent-encoded, nor appear in a URL
  }
}

/**
 * Drops a `user:password@` part from the start of a URL-like text that could not be parsed.
 * Everything up to the last "@" goes: a password may hold "/", "#" or "?" unescaped, and
 * showing too little of a broken URL is better than showing part of a password.
 */
function stripUserinfo(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?\S*@/i, '$1')
}

/** A URL without its userinfo part, safe to print. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url)
    // "user:secret@host:9090" parses as the scheme "user:": such a text is not a real URL.
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return stripUserinfo(url)
    if (parsed.username || parsed.password) {
      parsed.username = ''
      parsed.password = ''
    }
    return parsed.toString().replace(/\/$/, '')
  } catch {
    return stripUserinfo(url)
  }
}
