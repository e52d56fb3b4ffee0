import { useId, useRef, useState } from 'react'
import Replicate from 'replicate'

/**
 * The two examples of Replicate's post "Streaming output for language models"
 * (https://replicate.com/blog/streaming), run in the page against the local server that
 * `npm start` mounts at this origin. Its `/v1` API wants a token like Replicate's; this is the
 * local server's default, `LOCAL_API_TOKEN` of `react-prediction-stream/testing`, which protects
 * nothing and works nowhere else. In an app the token stays on the server
 * (`createPredictionHandler`); the post's commands are server-side code.
 */
const LOCAL_TOKEN = 'r8_local_development_token'

/** The version ids the post uses, of `meta/llama-2-70b-chat`. */
export const CURL_VERSION = '58d078176e02c219e11eb4da5a02a7830a283b14cf8f94537af893ccff5ee781'
export const NODE_VERSION = '2c1608e18606fad2812020dc541930f2d0495ce32eee50074220b87300bc16e1'

/** The post's create body, byte for byte. */
const CURL_BODY = `{"version": "${CURL_VERSION}", "input": {"prompt": "Tell me a story"}, "stream": true}`

function origin(): string {
  return globalThis.location?.origin ?? 'http://localhost:6006'
}

/** The post's cURL commands with its host replaced by this one: paste them into a terminal. */
export function curlCommands(host: string): string {
  return `export REPLICATE_API_TOKEN=${LOCAL_TOKEN}
STREAM_URL=$(curl -s -X POST \\
-d '${CURL_BODY}' \\
-H "Authorization: Bearer $REPLICATE_API_TOKEN" \\
"${host}/v1/predictions" | jq -r .urls.stream)
echo $STREAM_URL
curl -H 'Accept: text/event-stream' $STREAM_URL`
}

/** One terminal-like panel: what a run printed, in a labelled, focusable region. */
function Transcript({ label, lines }: { label: string; lines: string }) {
  return (
    <pre className="rps-terminal" role="region" aria-label={label} tabIndex={0}>
      {lines || ' '}
    </pre>
  )
}

type RunState = 'idle' | 'running' | 'done' | 'failed'

function RunButton(props: { state: RunState; onClick: () => void; children: string }) {
  return (
    <button
      type="button"
      className="rps-primary"
      disabled={props.state === 'running'}
      onClick={props.onClick}
    >
      {props.children}
    </button>
  )
}

/**
 * The post's cURL pipeline: create a prediction with `-d` (so, like curl, a form content type
 * and the JSON as it is), print its `urls.stream`, then print the event stream's bytes as they
 * come until `done`, where a person would press Ctrl-C (the stream stays open, as on Replicate).
 */
export function CurlPipeline() {
  const [state, setState] = useState<RunState>('idle')
  const [output, setOutput] = useState('')
  const stop = useRef<AbortController | null>(null)
  const id = useId()

  async function run() {
    stop.current?.abort()
    const controller = new AbortController()
    stop.current = controller
    setState('running')
    setOutput('')
    let printed = ''
    const print = (text: string) => {
      printed += text
      setOutput(printed)
    }
    try {
      const created = await fetch(`${origin()}/v1/predictions`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${LOCAL_TOKEN}`,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: CURL_BODY,
        signal: controller.signal,
      })
      const streamUrl = ((await created.json()) as { urls?: { stream?: string } }).urls?.stream
      print(`${streamUrl ?? 'null'}\n`)
      if (!streamUrl) throw new Error(`The create answered ${created.status}`)
      const stream = await fetch(streamUrl, {
        headers: { Accept: 'text/event-stream' },
        signal: controller.signal,
      })
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader()
      while (!/event: done\nid: [^\n]*\ndata: [^\n]*\n\n/.test(printed)) {
        const { value, done } = await reader.read()
        if (done) break
        print(value)
      }
      await reader.cancel()
      print('^C\n')
      setState('done')
    } catch (error) {
      if (controller.signal.aborted) return
      print(`curl: ${error instanceof Error ? error.message : String(error)}\n`)
      setState('failed')
    }
  }

  return (
    <section className="rps-card" aria-labelledby={id} data-run-state={state}>
      <h3 id={id} style={{ fontSize: 18 }}>
        The cURL example
      </h3>
      <p className="rps-muted">
        The post's commands with its host replaced by this Storybook's, which runs the local server:
        paste them into a terminal, or run the same two requests here.
      </p>
      <pre className="rps-terminal rps-code">{curlCommands(origin())}</pre>
      <p className="rps-row">
        <RunButton state={state} onClick={() => void run()}>
          Run the commands
        </RunButton>
        <span className="rps-muted">{runStateText(state)}</span>
      </p>
      <Transcript label="What cURL prints" lines={output} />
    </section>
  )
}

/**
 * The post's Node.js example (with `baseUrl` pointing the official client here), then its
 * browser part: an `EventSource` on `prediction.urls.stream` with the same three listeners,
 * printing what the post's `console.log` calls print.
 */
export function NodeExample() {
  const [state, setState] = useState<RunState>('idle')
  const [log, setLog] = useState('')
  const source = useRef<EventSource | null>(null)
  const id = useId()

  async function run() {
    source.current?.close()
    setState('running')
    let printed = ''
    const print = (...values: string[]) => {
      printed += `${values.join(' ')}\n`
      setLog(printed)
    }
    try {
      const replicate = new Replicate({ auth: LOCAL_TOKEN, baseUrl: `${origin()}/v1` })
      const prediction = await replicate.predictions.create({
        version: NODE_VERSION,
        input: { prompt: 'Tell me a story' },
        stream: true,
      })
      print(prediction.urls.stream ?? 'undefined')

      const events = new EventSource(prediction.urls.stream!, { withCredentials: true })
      source.current = events
      events.addEventListener('output', (e) => {
        print('output', e.data)
      })
      events.addEventListener('error', (e) => {
        // A connection error is an Event without data; the model's error carries JSON.
        if (!('data' in e)) return
        print('error', JSON.stringify(JSON.parse((e as MessageEvent<string>).data)))
      })
      events.addEventListener('done', (e) => {
        events.close()
        print('done', JSON.stringify(JSON.parse(e.data)))
        setState('done')
      })
    } catch (error) {
      print(String(error))
      setState('failed')
    }
  }

  return (
    <section className="rps-card" aria-labelledby={id} data-run-state={state}>
      <h3 id={id} style={{ fontSize: 18 }}>
        The Node.js example
      </h3>
      <pre className="rps-terminal rps-code">
        {`import Replicate from "replicate";

const replicate = new Replicate({
  auth: process.env.REPLICATE_API_TOKEN,
  baseUrl: "${origin()}/v1", // the one addition: the local server
});

const prediction = await replicate.predictions.create({
  version: "${NODE_VERSION}",
  input: { prompt: "Tell me a story" },
  stream: true,
});
console.log(prediction.urls.stream);

const source = new EventSource(prediction.urls.stream, { withCredentials: true });
source.addEventListener("output", (e) => console.log("output", e.data));
source.addEventListener("error", (e) => console.error("error", JSON.parse(e.data)));
source.addEventListener("done", (e) => {
  source.close();
  console.log("done", JSON.parse(e.data));
});`}
      </pre>
      <p className="rps-row">
        <RunButton state={state} onClick={() => void run()}>
          Run the example
        </RunButton>
        <span className="rps-muted">{runStateText(state)}</span>
      </p>
      <Transcript label="What the console prints" lines={log} />
    </section>
  )
}

function runStateText(state: RunState): string {
  if (state === 'running') return 'Running…'
  if (state === 'done') return 'Done: the stream sent done.'
  if (state === 'failed') return 'Failed: see the output.'
  return 'Not run yet.'
}
