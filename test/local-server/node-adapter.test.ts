import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { serveWithFetchHandler, type FetchHandler } from '../../src/testing/http/node-adapter'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

async function serve(handler: FetchHandler): Promise<string> {
  const server = createServer((req, res) => {
    void serveWithFetchHandler(handler, req, res, `http://${req.headers.host}${req.url}`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('node-adapter', () => {
  it('passes method, url, headers and a streamed body to the handler', async () => {
    const origin = await serve(async (request) => {
      const body = await request.text()
      return Response.json({
        method: request.method,
        url: request.url,
        header: request.headers.get('x-test'),
        body,
      })
    })
    const response = await fetch(`${origin}/path?q=1`, {
      method: 'POST',
      headers: { 'X-Test': 'yes' },
      body: 'hello body',
    })
    expect(await response.json()).toEqual({
      method: 'POST',
      url: `${origin}/path?q=1`,
      header: 'yes',
      body: 'hello body',
    })
  })

  it('streams the response body chunk by chunk and keeps every Set-Cookie', async () => {
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    const origin = await serve(async () => {
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new TextEncoder().encode('first,'))
          await released
          controller.enqueue(new TextEncoder().encode('second'))
          controller.close()
        },
      })
      const headers = new Headers({ 'Content-Type': 'text/plain' })
      headers.append('Set-Cookie', 'a=1')
      headers.append('Set-Cookie', 'b=2')
      return new Response(body, { status: 207, headers })
    })
    const response = await fetch(origin)
    expect(response.status).toBe(207)
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
    const reader = response.body!.getReader()
    // The first chunk arrives before the handler has produced the second one.
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first,')
    release()
    let rest = ''
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      rest += new TextDecoder().decode(r.value)
    }
    expect(rest).toBe('second')
  })

  it('answers 500 problem+json when the handler throws', async () => {
    const origin = await serve(async () => {
      throw new Error('boom')
    })
    const response = await fetch(origin)
    expect(response.status).toBe(500)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(await response.json()).toEqual({ detail: 'Route handler failed: boom', status: 500 })
  })

  it('aborts the handler signal when the client disconnects', async () => {
    let called!: () => void
    const wasCalled = new Promise<void>((resolve) => (called = resolve))
    let aborted!: () => void
    const wasAborted = new Promise<void>((resolve) => (aborted = resolve))
    const origin = await serve(
      (request) =>
        new Promise<Response>(() => {
          request.signal.addEventListener('abort', () => aborted())
          called()
        }),
    )
    const controller = new AbortController()
    const pending = fetch(origin, { signal: controller.signal }).catch(() => undefined)
    await wasCalled
    controller.abort()
    await pending
    await wasAborted
  })
})
