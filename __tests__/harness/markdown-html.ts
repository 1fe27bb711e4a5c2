// Renders the gate's markdown the way GitHub does (GFM: tables, raw <details>) with `marked`, and
// checks the HTML is well-formed: every element closed in order, only the elements and attributes
// the gate means to produce, and no stray `<` left by an unescaped name.
import { marked } from 'marked'

export function renderGfm(markdown: string): string {
  return marked.parse(markdown, { gfm: true, async: false })
}

const VOID = new Set(['br', 'hr', 'img', 'input', 'wbr'])

/** The elements a gate report may contain once rendered. */
export const REPORT_ELEMENTS = new Set([
  'h2',
  'h3',
  'p',
  'strong',
  'em',
  'ul',
  'li',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'details',
  'summary',
  'pre',
  'code',
  'a',
  'br',
  'hr'
])

export interface HtmlCheck {
  problems: string[]
  /** HTML comments found (the sticky comment's marker is one). */
  comments: string[]
  /** Text with the tags and comments removed, entities decoded. */
  text: string
  /** The same without code blocks (where mentions and markup are inert). */
  prose: string
}

/** Problems that would make the HTML malformed or carry injected markup; empty when fine. */
function checkHtmlText(html: string): string {
  return html.replace(/<!--[\s\S]*?-->|<[^<>]*>/g, '')
}

export function checkHtml(html: string, allowed: Set<string> = REPORT_ELEMENTS): HtmlCheck {
  const problems: string[] = []
  const comments: string[] = []
  const stack: string[] = []
  const token = /<!--([\s\S]*?)-->|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:="[^"]*")?)*)\s*(\/?)>/g
  let text = ''
  let last = 0
  for (const match of html.matchAll(token)) {
    text += html.slice(last, match.index)
    last = match.index + match[0].length
    if (match[1] !== undefined) {
      comments.push(match[1])
      continue
    }
    const [, , closing, rawName, attributes] = match
    const name = rawName!.toLowerCase()
    if (!allowed.has(name)) problems.push(`unexpected element <${name}>`)
    for (const attribute of attributes!.matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)) {
      const [, key, value = ''] = attribute
      const fine =
        (key === 'align' && (name === 'th' || name === 'td')) ||
        (key === 'class' && name === 'code' && /^language-[a-z]+$/.test(value)) ||
        (key === 'href' && name === 'a' && /^https?:\/\//.test(value)) ||
        (key === 'open' && name === 'details' && value === '')
      if (!fine) problems.push(`unexpected attribute ${key}="${value}" on <${name}>`)
    }
    if (VOID.has(name)) continue
    if (closing) {
      const open = stack.pop()
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`)
    } else {
      stack.push(name)
    }
  }
  text += html.slice(last)
  if (stack.length > 0) problems.push(`unclosed: ${stack.map((name) => `<${name}>`).join(' ')}`)
  // marked escapes < and > in text: one left over is a tag the pattern above did not recognise.
  const stray = /[<>]/.exec(text)
  if (stray) problems.push(`stray ${stray[0]} near ${JSON.stringify(text.slice(Math.max(0, stray.index - 30), stray.index + 30))}`)
  const decode = (text: string): string => text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
  const prose = checkHtmlText(html.replace(/<pre>[\s\S]*?<\/pre>/g, ''))
  return { problems, comments, text: decode(text), prose: decode(prose) }
}
