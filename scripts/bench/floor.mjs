// The floor: plain Node sending exactly the requests the gate sent (recorded through
// EBG_REQUEST_LOG: same PromQL, same time, GET or POST form by the same rule as the gate's
// client, same headers), with the same number in flight, reading each response body to the end
// and doing nothing else (no decompression, no parsing).
//
//   node scripts/bench/floor.mjs <requests.jsonl> <prometheus-url> <concurrency>
import fs from 'node:fs'
import http from 'node:http'

const [file, base, concurrencyText] = process.argv.slice(2)
const requests = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
const concurrency = Number(concurrencyText)
const url = new URL(base)
// As src/prometheus/client.ts: GET up to this URL length, a POST form beyond.
const MAX_GET_URL_LENGTH = 4000
const headers = { accept: 'application/json', 'user-agent': 'axios/1.21.1', 'accept-encoding': 'gzip, compress, deflate, br' }

function send({ query, time }) {
  const params = new URLSearchParams({ query, time: String(time) }).toString()
  const getPath = `/api/v1/query?${params}`
  const post = getPath.length > MAX_GET_URL_LENGTH
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: post ? 'POST' : 'GET',
        path: post ? '/api/v1/query' : getPath,
        headers: post ? { ...headers, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(params) } : headers
      },
      (res) => {
        res.on('data', () => {})
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))))
        res.on('error', reject)
      }
    )
    req.on('error', reject)
    req.end(post ? params : undefined)
  })
}

let next = 0
const worker = async () => {
  while (next < requests.length) await send(requests[next++])
}
await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, requests.length)) }, worker))
