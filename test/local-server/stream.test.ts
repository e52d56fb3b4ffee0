import { describe, expect, it } from 'vitest'
import { startReplicateServer } from '../../src/testing'
import { fnv1a32, recordingsOfModel, TEXT_RECORDINGS } from '../../src/testing/models/recordings'
import {
  createPrediction,
  getPrediction,
  HAIKU,
  LLAMA_3,
  parseEvents,
  readStream,
  streamEvents,
  untilDone,
  serverStarter,
} from '../../testkit/local-server'

const start = serverStarter()

/** The recording the server replays for `prompt` on `model`. */
function recordingFor(model: string, prompt: string) {
  const recordings = recordingsOfModel(model)
  return recordings[fnv1a32(prompt) % recordings.length]!
}

/**
 * Independent restatement of docs/replicate-protocol.md §2.4: every line of the payload becomes a
 * `data: ` line.
 */
function frame(event: string, data: string): string {
  return `event: ${event}\nid: <id>\n${data
    .split('\n')
    .map((line) => `data: ${line}\n`)
    .join('')}\n`
}

describe('stream wire bytes', () => {
  it('sends `: hi` then every output verbatim, then done {}', async () => {
    const server = await start()
    const prediction = await createPrediction(server.apiUrl, LLAMA_3, { prompt: HAIKU })
    const recording = recordingFor(LLAMA_3, HAIKU)
    const { response, text } = await readStream(prediction.urls.stream!, untilDone)

    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('no-cache')

    const ids = [...text.matchAll(/^id: (.*)$/gm)].map((match) => match[1]!)
    expect(ids).toHaveLength(recording.output.length + 1)
    for (const id of ids) expect(id).toMatch(/^\d+:\d+$/)
    const order = ids.map((id) => id.split(':').map(Number) as [number, number])
    for (let i = 1; i < order.length; i++) {
      const [s0, n0] = order[i - 1]!
      const [s1, n1] = order[i]!
      expect(s1 > s0 || (s1 === s0 && n1 === n0 + 1)).toBe(true)
      if (s1 > s0) expect(n1).toBe(0)
    }

    const expected =
      ': hi\n\n' +
      recording.output.map((item) => frame('output', item)).join('') +
      frame('done', '{}')
    expect(text.replace(/^id: .*$/gm, 'id: <id>')).toBe(expected)
    // The recording really exercises the tricky items of §2.4.
    expect(recording.output).toContain('\n\n')
    expect(recording.output).toContain('')
    expect(recording.output.some((item) => item.startsWith(' '))).toBe(true)
    expect(text).not.toMatch(/\r|^retry:|^event: (?!output|done)/m)
  })

  it.each(TEXT_RECORDINGS.map((r, index) => [`${r.model} #${index}`, r] as const))(
    'replays %s so that the output data concatenate to output.join("")',
    async (_name, recording) => {
      const server = await start()
      const recordings = recordingsOfModel(recording.model)
      const index = recordings.indexOf(recording)
      // Find a prompt that selects this recording (selection is FNV-1a of the prompt).
      let prompt = ''
      for (let i = 0; fnv1a32(prompt) % recordings.length !== index; i++) prompt = `prompt ${i}`
      const prediction = await createPrediction(server.apiUrl, recording.model, { prompt })
      const events = await streamEvents(prediction.urls.stream!)
      const outputs = events.filter((e) => e.event === 'output').map((e) => e.data)
      expect(outputs).toEqual(recording.output)
      expect(outputs.join('')).toBe(recording.output.join(''))
      expect(events.at(-1)).toMatchObject({ event: 'done', data: '{}' })
      expect(events.map((e) => e.event)).not.toContain('logs')
      const final = await getPrediction(server.apiUrl, prediction.id)
      expect(final.output).toEqual(recording.output)
    },
  )
})

describe('replay and resumption', () => {
  it('replays from the first event to every new connection', async () => {
    const server = await start()
    const prediction = await createPrediction(server.apiUrl)
    const first = await readStream(prediction.urls.stream!, untilDone)
    const second = await readStream(prediction.urls.stream!, untilDone)
    expect(second.text).toBe(first.text)
  })

  it('resumes strictly after Last-Event-ID (header or ?last_event_id=)', async () => {
    const server = await start()
    const prediction = await createPrediction(server.apiUrl)
    const all = await streamEvents(prediction.urls.stream!)
    const resumeAfter = all[4]!.id!
    const fromHeader = await streamEvents(prediction.urls.stream!, { 'Last-Event-ID': resumeAfter })
    expect(fromHeader).toEqual(all.slice(5))
    const query = `${prediction.urls.stream}?last_event_id=${encodeURIComponent(resumeAfter)}`
    expect(await streamEvents(query)).toEqual(all.slice(5))
  })

  it('replays from the start for an unknown Last-Event-ID', async () => {
    const server = await start()
    const prediction = await createPrediction(server.apiUrl)
    const all = await streamEvents(prediction.urls.stream!)
    expect(await streamEvents(prediction.urls.stream!, { 'Last-Event-ID': '1:999' })).toEqual(all)
  })

  it('gives a late subscriber the outputs published before it connected', async () => {
    const server = await start({ cadence: { firstOutputDelayMs: 0, outputIntervalMs: 60_000 } })
    const prediction = await createPrediction(server.apiUrl)
    await expect.poll(() => server.predictions[0]!.output).toHaveLength(1)
    const { text } = await readStream(prediction.urls.stream!, (t) => t.includes('event: output'))
    expect(parseEvents(text).map((e) => e.event)).toEqual(['output'])
  })

  it('answers 404 for an unknown stream token', async () => {
    const server = await start()
    const response = await fetch(`${server.streamUrl}/v1/streams/${'a'.repeat(52)}`)
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
  })
})

describe('idle timeout and connections', () => {
  it('writes the 408 frame after idleTimeoutMs without writes and closes', async () => {
    const server = await start({ idleTimeoutMs: 50 })
    const prediction = await createPrediction(server.apiUrl)
    const { text, ended } = await readStream(prediction.urls.stream!)
    expect(ended).toBe(true)
    expect(text).toMatch(/event: done\nid: \d+:\d+\ndata: \{\}\n\n:408: 408 Request Timeout\n\n$/)
    expect(text.match(/:408:/g)).toHaveLength(1)
  })

  it('times out before the first output when the model is slow to start (E-5)', async () => {
    const server = await start({
      idleTimeoutMs: 50,
      cadence: { firstOutputDelayMs: 60_000, outputIntervalMs: 0 },
    })
    const prediction = await createPrediction(server.apiUrl)
    const { text, ended } = await readStream(prediction.urls.stream!)
    expect({ text, ended }).toEqual({ text: ': hi\n\n:408: 408 Request Timeout\n\n', ended: true })
    await expect.poll(() => server.openStreams).toBe(0)
  })

  it('keeps the connection open after done by default', async () => {
    const server = await start()
    const prediction = await createPrediction(server.apiUrl)
    await readStream(prediction.urls.stream!, untilDone)
    const { text } = await readStream(prediction.urls.stream!, (t) => {
      // Still open once done has arrived: the server has not ended the body.
      if (untilDone(t)) expect(server.openStreams).toBe(1)
      return untilDone(t)
    })
    expect(text).not.toContain(':408:')
  })

  it('closes right after done with closeAfterDone', async () => {
    const server = await start({ closeAfterDone: true })
    const prediction = await createPrediction(server.apiUrl)
    const { text, ended } = await readStream(prediction.urls.stream!)
    expect(ended).toBe(true)
    expect(text).toMatch(/event: done\nid: \d+:\d+\ndata: \{\}\n\n$/)
  })

  it('counts open streams and forgets clients that abort', async () => {
    const server = await start()
    const prediction = await createPrediction(server.apiUrl)
    const controllers = [0, 1, 2].map(() => new AbortController())
    const responses = await Promise.all(
      controllers.map((c) => fetch(prediction.urls.stream!, { signal: c.signal })),
    )
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200])
    expect(server.openStreams).toBe(3)
    controllers[0]!.abort()
    await expect.poll(() => server.openStreams).toBe(2)
    controllers.slice(1).forEach((c) => c.abort())
    await expect.poll(() => server.openStreams).toBe(0)
  })

  it('answers CORS like nchan: echoes the Origin, allows credentials and preflights', async () => {
    const server = await start()
    const prediction = await createPrediction(server.apiUrl)
    const preflight = await fetch(prediction.urls.stream!, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:6006', 'Access-Control-Request-Method': 'GET' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:6006')
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Last-Event-ID')
    const { response } = await readStream(prediction.urls.stream!, untilDone, {
      Origin: 'http://localhost:6006',
    })
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:6006')
    expect(response.headers.get('access-control-allow-credentials')).toBe('true')
  })
})

describe('close()', () => {
  it('ends open streams, stops timers and leaves no handle behind', async () => {
    const resources = () => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap')
    const count = (list: string[], name: string) => list.filter((r) => r === name).length
    const before = resources()
    const server = await startReplicateServer({
      cadence: { firstOutputDelayMs: 0, outputIntervalMs: 60_000 },
    })
    const prediction = await createPrediction(server.apiUrl)
    const reading = readStream(prediction.urls.stream!).catch((error: unknown) => error)
    await expect.poll(() => server.openStreams).toBe(1)
    await server.close()
    const result = await reading
    expect(result).toMatchObject({ ended: true })
    expect(server.openStreams).toBe(0)
    await server.close() // idempotent
    // Let the sockets' close callbacks run; no timer here, or it would count as a handle.
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve))
    const after = resources()
    for (const name of ['Timeout', 'Immediate', 'TCPServerWrap', 'TCPSocketWrap']) {
      expect(count(after, name), name).toBeLessThanOrEqual(count(before, name))
    }
  })
})
