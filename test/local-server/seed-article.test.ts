/**
 * Replicate's post "Streaming output for language models" (https://replicate.com/blog/streaming)
 * runs verbatim against the local server: its cURL pipeline with only the host changed, and its
 * Node example with only `baseUrl` added. Both name old `meta/llama-2-70b-chat` versions, which
 * the server accepts and answers with that model's recording.
 */
import { spawn } from 'node:child_process'
import Replicate from 'replicate'
import { describe, expect, it } from 'vitest'
import { LOCAL_API_TOKEN } from '../../src/testing'
import { recordingsOfModel } from '../../src/testing/models/recordings'
import { parseEvents, serverStarter, streamEvents } from '../../testkit/local-server'

const start = serverStarter()
const recording = recordingsOfModel('meta/llama-2-70b-chat')[0]!

/** The post's cURL commands, byte for byte except for the host. */
const curlPipeline = (apiOrigin: string) => `STREAM_URL=$(curl -s -X POST \\
-d '{"version": "58d078176e02c219e11eb4da5a02a7830a283b14cf8f94537af893ccff5ee781", "input": {"prompt": "Tell me a story"}, "stream": true}' \\
-H "Authorization: Bearer $REPLICATE_API_TOKEN" \\
"${apiOrigin}/v1/predictions" | jq -r .urls.stream)
echo $STREAM_URL
curl -H 'Accept: text/event-stream' $STREAM_URL
`

/** Runs `script` in bash to its end; its stdout, or a rejection with both outputs. */
function runScript(script: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(stdout)
      else reject(new Error(`bash exited with ${code}\nstdout: ${stdout}\nstderr: ${stderr}`))
    })
  })
}

const escapeHtml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')

describe('the seed article, verbatim', () => {
  it('its cURL pipeline prints the stream URL, then the recorded tokens and done', async () => {
    // Like Replicate's, the stream stays open after `done` until its idle timeout (the post:
    // "until the connection is closed"), where a person at a terminal stops curl with Ctrl-C.
    // Here the server closes it after `done`, so curl ends and flushes its piped output.
    const server = await start({ closeAfterDone: true })
    const stdout = await runScript(curlPipeline(server.url), {
      REPLICATE_API_TOKEN: LOCAL_API_TOKEN,
    })

    const [streamUrl, ...rest] = stdout.split('\n')
    expect(streamUrl).toMatch(new RegExp(`^${server.streamUrl}/v1/streams/[a-z2-7]{52}$`))
    const events = parseEvents(rest.join('\n'))
    expect(events.map((event) => event.event)).toEqual([
      ...recording.output.map(() => 'output'),
      'done',
    ])
    expect(events.slice(0, -1).map((event) => event.data)).toEqual(recording.output)
    expect(events.at(-1)!.data).toBe('{}')
    // The prediction runs at the version the post asked for.
    expect(server.predictions.map((prediction) => prediction.version)).toEqual([
      '58d078176e02c219e11eb4da5a02a7830a283b14cf8f94537af893ccff5ee781',
    ])
  })

  it('its Node example creates a prediction whose stream URL streams the recording', async () => {
    const server = await start()
    // The post's code; `baseUrl` is the one addition that points the client here.
    const replicate = new Replicate({ auth: LOCAL_API_TOKEN, baseUrl: server.apiUrl })
    const prediction = await replicate.predictions.create({
      version: '2c1608e18606fad2812020dc541930f2d0495ce32eee50074220b87300bc16e1',
      input: { prompt: 'Tell me a story' },
      stream: true,
    })
    expect(prediction.version).toBe(
      '2c1608e18606fad2812020dc541930f2d0495ce32eee50074220b87300bc16e1',
    )
    expect(prediction.model).toBe('meta/llama-2-70b-chat')
    expect(prediction.urls.stream).toMatch(new RegExp(`^${server.streamUrl}/v1/streams/`))

    // The browser part of the post (EventSource with `output`, `error` and `done` listeners)
    // reads the same events; here they are read with the same parser a browser uses.
    const events = await streamEvents(prediction.urls.stream!, { Accept: 'text/event-stream' })
    expect(events.filter((event) => event.event === 'output').map((event) => event.data)).toEqual(
      recording.output,
    )
    expect(events.filter((event) => event.event === 'error')).toEqual([])
    expect(events.at(-1)).toMatchObject({ event: 'done', data: '{}' })
  })

  it("its prediction's web URL is a page of the local server showing the prediction", async () => {
    const server = await start()
    const replicate = new Replicate({ auth: LOCAL_API_TOKEN, baseUrl: server.apiUrl })
    const created = await replicate.predictions.create({
      version: '2c1608e18606fad2812020dc541930f2d0495ce32eee50074220b87300bc16e1',
      input: { prompt: 'Tell me a story' },
      stream: true,
    })
    expect(created.urls.web).toBe(`${server.url}/p/${created.id}`)
    const done = await replicate.wait(created, { interval: 10 })
    expect(done.status).toBe('succeeded')

    const response = await fetch(created.urls.web!)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const html = await response.text()
    expect(html).toContain(`<h1>Prediction ${created.id}</h1>`)
    expect(html).toContain('<dt>Status</dt><dd>succeeded</dd>')
    expect(html).toContain(`<pre>${escapeHtml(recording.output.join(''))}</pre>`)
    // A finished prediction's page does not reload itself; an unknown id is Replicate's 404.
    expect(html).not.toContain('http-equiv="refresh"')
    expect((await fetch(`${server.url}/p/aaaaaaaaaaaaaaaaaaaaaaaaaa`)).status).toBe(404)
  })
})
