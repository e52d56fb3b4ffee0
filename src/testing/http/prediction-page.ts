/**
 * The local server's page for one prediction, what `urls.web` points at: Replicate links each
 * prediction to its page on replicate.com, which knows nothing of local predictions, so the
 * local server serves its own at `/p/{id}` (no token: like a stream URL, the unguessable id is
 * the capability). While the prediction runs, the page reloads itself every second.
 */
import type { ServerResponse } from 'node:http'
import { isTerminalStatus, type Prediction } from '../../core/prediction'

const PAGE_PATH = /^\/p\/([a-z0-9]+)$/

/** The `urls.web` of prediction `id` created through `origin`. */
export function predictionPageUrl(origin: string, id: string): string {
  return `${origin}/p/${id}`
}

/** The prediction id a `/p/{id}` path names, or `undefined` for any other path. */
export function predictionPageId(pathname: string): string | undefined {
  return PAGE_PATH.exec(pathname)?.[1]
}

/** Writes the HTML page of `prediction`. */
export function sendPredictionPage(res: ServerResponse, prediction: Prediction): void {
  const html = renderPredictionPage(prediction)
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
    // Nothing on the page runs or loads: model output is only ever text here.
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  })
  res.end(html)
}

/** The page: what was asked, where it is, and what it yielded so far, all escaped. */
export function renderPredictionPage(prediction: Prediction): string {
  const running = !isTerminalStatus(prediction.status)
  const items = Array.isArray(prediction.output) ? prediction.output.map(String) : []
  // Language models yield token deltas to join; image iterators yield one URL per item.
  const output = items.join(items.every((item) => /^https?:\/\//.test(item)) ? '\n' : '')
  const fields: [string, unknown][] = [
    ['Model', prediction.model],
    ['Version', prediction.version],
    ['Status', prediction.status],
    ['Created', prediction.created_at],
    ['Completed', prediction.completed_at ?? '—'],
    ['Prompt', prediction.input.prompt ?? JSON.stringify(prediction.input)],
  ]
  const error =
    prediction.error == null ? '' : `<h2>Error</h2><pre>${escape(prediction.error)}</pre>`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${running ? '<meta http-equiv="refresh" content="1">' : ''}
<title>Prediction ${escape(prediction.id)} · local Replicate server</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; background: #fff; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; background: #f6f8fa; padding: 1rem; border-radius: 6px; }
@media (prefers-color-scheme: dark) { body { color: #e6edf3; background: #0d1117; } pre { background: #161b22; } }
</style>
</head>
<body>
<main>
<h1>Prediction ${escape(prediction.id)}</h1>
<p>Served by the local Replicate-compatible server of react-prediction-stream: recorded output, replayed.</p>
<dl>${fields.map(([name, value]) => `<dt>${name}</dt><dd>${escape(value)}</dd>`).join('')}</dl>
<h2>Output</h2>
<pre>${escape(output)}</pre>
${error}
</main>
</body>
</html>
`
}

function escape(value: unknown): string {
  return String(value).replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  )
}
