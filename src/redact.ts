// Secrets (tokens, passwords, header values) must never reach any output. Every string that
// leaves the process through a reporter or a log passes through one Redactor.

const MASK = '***'
/** Header values shorter than this are not treated as secrets on their own (e.g. "1"). */
const MIN_SECRET_LENGTH = 3

export class Redactor {
  private readonly secrets: string[] = []

  add(secret: string | undefined): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return
    if (!this.secrets.includes(secret)) {
      this.secrets.push(secret)
      // Longest first, so a secret that contains another is masked whole.
      this.secrets.sort((a, b) => b.length - a.length)
    }
  }

  list(): readonly string[] {
    return this.secrets
  }

  redact(text: string): string {
    let result = text
    for (const secret of this.secrets) result = result.split(secret).join(MASK)
    return result
  }
}

/** A URL without its userinfo part, safe to print. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.username || parsed.password) {
      parsed.username = ''
      parsed.password = ''
    }
    return parsed.toString().replace(/\/$/, '')
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//')
  }
}
