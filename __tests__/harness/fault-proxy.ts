// A fault-injecting HTTP proxy on 127.0.0.1, between the gate and a real Prometheus. Each request
// gets a Fault, from a script (the next requests, in order) or a rule; by default it is passed
// through untouched. The proxy records every request and how many were in flight at once.
//
//   const proxy = await faultProxy(prometheusUrl)
//   proxy.script([{ kind: 'status', status: 503, headers: { 'retry-after': '1' } }])  // first request
//   proxy.rule = () => ({ kind: 'delay', ms: 200 })                                     // every other one
//   ... run the gate against proxy.url ...
//   await proxy.close()
//
// Faults are what real networks, proxies and overloaded servers do: latency, a dropped
// connection, a reset in the middle of the body, 5xx/429 with Retry-After, a complete answer
// whose JSON is cut short or garbled, an HTML error page, a server that never answers or
// trickles its answer a few bytes at a time, a redirect.
import http from 'node:http'
import type net from 'node:net'

export type Fault =
  /** Forward to the upstream and back, untouched. */
  | { kind: 'pass' }
  /** Wait, then forward. */
  | { kind: 'delay'; ms: number }
  /** Close the client's connection without answering (like a crashed or restarted proxy). */
  | { kind: 'drop' }
  /** Forward the status line, the headers and the first `bytes` of the body, then reset the connection. */
  | { kind: 'reset-mid-body'; bytes?: number }
  /** Answer this status, headers and body without asking the upstream. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** The upstream's answer, complete as HTTP (Content-Length matching), its body cut to `keep` (a share, default 0.5). */
  | { kind: 'truncate'; keep?: number }
  /** The upstream's answer with bytes in the middle of the body garbled (no longer JSON). */
  | { kind: 'corrupt' }
  /** An HTML page with this status (default 502): a load balancer's error page, or a login page for a 2xx. */
  | { kind: 'html'; status?: number }
  /** Accept the request and never answer (until the client gives up or the proxy closes). */
  | { kind: 'hang' }
  /** The upstream's answer, its body sent `bytes` at a time every `everyMs` (the headers at once). */
  | { kind: 'trickle'; bytes: number; everyMs: number }
  /** A redirect (default 302) to `location`. */
  | { kind: 'redirect'; location: string; status?: number }
  /** The upstream's answer with its body rewritten. */
  | { kind: 'rewrite'; body: (text: string) => string }

export interface ProxiedRequest {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
  fault: Fault['kind']
}

export interface FaultProxy {
  url: string
  /** Where requests are forwarded (may be changed between runs). */
  upstream: string
  requests: ProxiedRequest[]
  /** Requests in flight now, and the most there ever were at once. */
  readonly inFlight: number
  readonly maxInFlight: number
  /** Faults for the next requests, in order; the rule decides after them. */
  script(faults: Fault[]): void
  /** Decides the fault of every request the script does not cover (default: pass). */
  rule: (request: { method: string; url: string; body: string; index: number }) => Fault
  /** Called for every request before its fault is applied (e.g. to kill the upstream). */
  onRequest?: (index: number) => void | Promise<void>
  /** Clears the script, the rule, the hook and the records. */
  reset(): void
  close(): Promise<void>
}

const HTML_ERROR_PAGE = `<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>
`
const HTML_LOGIN_PAGE = `<!DOCTYPE html>
<html><head><title>Sign in</title></head>
<body><form method="post" action="/login"><input name="user"><input name="password" type="password"><button>Sign in</button></form></body></html>
`

interface Upstream {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

/** Headers of the upstream answer worth passing on (not hop-by-hop, not the length: we set it). */
function passHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) {
    if (['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding'].includes(name)) continue
    if (value !== undefined) out[name] = value
  }
  return out
}

export function faultProxy(upstream: string): Promise<FaultProxy> {
  const sockets = new Set<net.Socket>()
  const pending = new Set<http.ServerResponse>()
  let script: Fault[] = []
  let inFlight = 0
  let maxInFlight = 0
  let index = 0

  const forward = (req: http.IncomingMessage, body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const target = new URL(req.url ?? '/', proxy.upstream)
      const headers = { ...req.headers, host: target.host }
      delete headers['accept-encoding'] // plain bodies, so faults can cut and garble them
      const upstreamReq = http.request(target, { method: req.method, headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }))
        res.on('error', reject)
      })
      upstreamReq.on('error', reject)
      upstreamReq.end(body)
    })

  const send = (res: http.ServerResponse, answer: Upstream, body: Buffer = answer.body): void => {
    res.writeHead(answer.status, { ...passHeaders(answer.headers), 'content-length': body.length })
    res.end(body)
  }

  const apply = async (fault: Fault, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> => {
    switch (fault.kind) {
      case 'drop':
        req.socket.destroy()
        return
      case 'hang':
        pending.add(res)
        return
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers })
        res.end(fault.body ?? '')
        return
      case 'html':
        res.writeHead(fault.status ?? 502, { 'content-type': 'text/html' })
        res.end((fault.status ?? 502) < 300 ? HTML_LOGIN_PAGE : HTML_ERROR_PAGE)
        return
      case 'redirect':
        res.writeHead(fault.status ?? 302, { location: fault.location })
        res.end()
        return
    }
    if (fault.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms))
    const answer = await forward(req, body)
    switch (fault.kind) {
      case 'pass':
      case 'delay':
        return send(res, answer)
      case 'truncate':
        return send(res, answer, answer.body.subarray(0, Math.floor(answer.body.length * (fault.keep ?? 0.5))))
      case 'corrupt': {
        const garbled = Buffer.from(answer.body)
        const middle = Math.floor(garbled.length / 2)
        for (let i = middle; i < Math.min(garbled.length, middle + 8); i++) garbled[i] = 0x7b // '{'
        return send(res, answer, garbled)
      }
      case 'rewrite':
        return send(res, answer, Buffer.from(fault.body(answer.body.toString('utf8'))))
      case 'reset-mid-body': {
        res.writeHead(answer.status, { ...passHeaders(answer.headers), 'content-length': answer.body.length })
        res.write(answer.body.subarray(0, Math.min(fault.bytes ?? 20, answer.body.length - 1)))
        // Let the partial body go out, then reset the connection.
        setTimeout(() => req.socket.resetAndDestroy(), 20)
        return
      }
      case 'trickle': {
        res.writeHead(answer.status, { ...passHeaders(answer.headers), 'content-length': answer.body.length })
        pending.add(res)
        let offset = 0
        const tick = () => {
          if (res.destroyed || offset >= answer.body.length) return
          res.write(answer.body.subarray(offset, offset + fault.bytes))
          offset += fault.bytes
          if (offset >= answer.body.length) res.end()
          else setTimeout(tick, fault.everyMs)
        }
        tick()
        return
      }
    }
  }

  const server = http.createServer((req, res) => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    let counted = true
    const done = () => {
      if (!counted) return
      counted = false
      inFlight--
      pending.delete(res)
    }
    // Also when the client goes away first (a ServerResponse closes with its connection).
    res.on('close', done)
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const at = index++
      const info = { method: req.method ?? 'GET', url: req.url ?? '', body: body.toString('utf8'), index: at }
      const fault = script.shift() ?? proxy.rule(info)
      proxy.requests.push({ method: info.method, url: info.url, headers: req.headers, body: info.body, fault: fault.kind })
      Promise.resolve(proxy.onRequest?.(at))
        .then(() => apply(fault, req, res, body))
        .catch(() => {
          // The upstream is unreachable (killed, refused): close the connection, as a TCP proxy would.
          req.socket.destroy()
        })
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  const proxy: FaultProxy = {
    url: '',
    upstream,
    requests: [],
    get inFlight() {
      return inFlight
    },
    get maxInFlight() {
      return maxInFlight
    },
    script(faults) {
      script = [...faults]
    },
    rule: () => ({ kind: 'pass' }),
    reset() {
      script = []
      proxy.rule = () => ({ kind: 'pass' })
      proxy.onRequest = undefined
      proxy.requests = []
      maxInFlight = inFlight
      index = 0
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      proxy.url = `http://127.0.0.1:${port}`
      resolve(proxy)
    })
  })
}
