// The clients of the local server's capacity bench, in their own process so that their work
// does not land on the server's event loop. Creates `streams` predictions of `local/echo` (each
// yielding `outputs` tokens at `tokensPerSecond`), follows each stream over a TCP socket and
// reports how late every `output` event arrived against its schedule: the prediction's
// `created_at` + `firstOutputDelayMs` + k / `tokensPerSecond`.
//
// Usage: node bench/local-server-clients.mjs '{"apiUrl","token","streams","outputs",
//   "tokensPerSecond","firstOutputDelayMs"}'   → one JSON line on stdout.
import { request } from 'node:http'
import { connect } from 'node:net'

const options = JSON.parse(process.argv[2])
const { apiUrl, token, streams, outputs, tokensPerSecond, firstOutputDelayMs } = options
const intervalMs = 1000 / tokensPerSecond
const items = Array.from({ length: outputs }, (_, index) => ` t${index}`)
const wallClock = () => performance.timeOrigin + performance.now()

/** Lateness of every output event received, in ms. */
const lateness = new Float64Array(streams * outputs)
let received = 0
let failures = 0

function post(url, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => (text += chunk))
        res.on('end', () =>
          res.statusCode === 201 ? resolve(JSON.parse(text)) : reject(new Error(text)),
        )
      },
    )
    req.on('error', reject)
    req.end(JSON.stringify(body))
  })
}

const OUTPUT = Buffer.from('event: output\n')
const DONE = Buffer.from('event: done\n')
const NEWLINE = 0x0a
/**
 * Every socket reads into this one buffer: `onread` hands each read to its callback
 * synchronously, so the bytes are scanned before the next read can overwrite them. No buffer per
 * read and no readable stream: the client's cost per event is a read and an `indexOf`.
 */
const READ_BUFFER = Buffer.allocUnsafe(1 << 16)

/**
 * Follows one stream until `done`, timing each `output` event against its schedule. A raw TCP
 * socket rather than node:http: the client only has to find frames, and a lighter client leaves
 * more of the machine to the server it measures.
 */
function follow(prediction) {
  const firstDueAt = Date.parse(prediction.created_at) + firstOutputDelayMs
  const { hostname, port, pathname } = new URL(prediction.urls.stream)
  return new Promise((resolve, reject) => {
    let index = 0
    // The bytes after the last line feed of the previous read: the head of a marker split across
    // reads (a marker ends in a line feed and holds no other, so no complete one is in there).
    // The server writes whole frames, so this is almost always empty.
    let carry = null
    const onRead = (length, buffer) => {
      const now = wallClock()
      let bytes = buffer.subarray(0, length)
      if (carry !== null) {
        bytes = Buffer.concat([carry, bytes])
        carry = null
      }
      for (
        let at = bytes.indexOf(OUTPUT);
        at !== -1;
        at = bytes.indexOf(OUTPUT, at + OUTPUT.length)
      ) {
        lateness[received++] = now - (firstDueAt + index * intervalMs)
        index += 1
      }
      if (bytes.includes(DONE)) {
        socket.destroy()
        resolve(index)
        return false
      }
      const lastLine = bytes.lastIndexOf(NEWLINE)
      if (lastLine < bytes.length - 1) carry = Buffer.from(bytes.subarray(lastLine + 1))
      return true
    }
    const socket = connect(
      { port: Number(port), host: hostname, onread: { buffer: READ_BUFFER, callback: onRead } },
      () => {
        socket.setNoDelay(true)
        socket.write(
          `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`,
        )
      },
    )
    socket.on('error', reject)
    socket.on('close', () => resolve(index))
  })
}

async function one() {
  try {
    const prediction = await post(`${apiUrl}/models/local/echo/predictions`, {
      input: { prompt: 'bench', outputs: items },
    })
    const count = await follow(prediction)
    if (count !== outputs) failures += 1
  } catch {
    failures += 1
  }
}

await Promise.all(Array.from({ length: streams }, one))
const values = lateness.subarray(0, received).sort()
const at = (p) => values[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]
process.stdout.write(
  `${JSON.stringify({
    streams,
    outputs: received,
    expectedOutputs: streams * outputs,
    failures,
    p50Ms: at(50),
    p99Ms: at(99),
    maxMs: values[values.length - 1],
  })}\n`,
)
