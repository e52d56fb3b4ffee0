/**
 * What people write first against Replicate's stream: create, then an `EventSource` on
 * `urls.stream` and one `setState` per `output` event.
 */
import { useEffect, useState } from 'react'
import { mountBenchPage, type ClientProps } from './harness'

function Naive({ run, register }: ClientProps) {
  const [text, setText] = useState('')
  useEffect(
    () =>
      register(async () => {
        const response = await fetch('/replicate/predictions', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ model: 'bench/tokens', input: { run } }),
        })
        const prediction = (await response.json()) as { urls: { stream: string } }
        const source = new EventSource(prediction.urls.stream)
        source.addEventListener('output', (event) => setText((text) => text + event.data))
        source.addEventListener('done', () => source.close())
      }),
    [register, run],
  )
  return (
    <div id="out" style={{ whiteSpace: 'pre-wrap' }}>
      {text}
    </div>
  )
}

mountBenchPage(Naive)
