import { useId, useState } from 'react'
import {
  StreamingText,
  usePredictionStream,
  type PredictionStreamMetrics,
  type StreamPhase,
} from '../../src/index'
import { ConnectionText, StatusBadge } from './status-badge'

/**
 * The models the local server replays, each with the prompt it was recorded with, so the first
 * click shows the real answer to a sensible question.
 */
export const PLAYGROUND_MODELS = [
  { model: 'meta/meta-llama-3-8b-instruct', prompt: 'Please write a haiku about llamas' },
  {
    model: 'meta/llama-2-70b-chat',
    prompt:
      "Can you write a poem about open source machine learning? Let's make it in the style of E. E. Cummings.",
  },
  {
    model: 'nateraw/goliath-120b',
    prompt:
      'write me a blogpost all about parmigiano reggiano. Include helpful tips, like what to do with the rinds, whether you should buy pre-grated vs non-grated, etc, etc. Grumble about poor quality american Parmesan.',
  },
] as const

export type PlaygroundModel = (typeof PLAYGROUND_MODELS)[number]['model']

export interface PlaygroundProps {
  /** The route handler to create predictions through. */
  endpoint?: string
  /** The model selected at first. */
  initialModel?: PlaygroundModel
}

function defaultPrompt(model: PlaygroundModel): string {
  return PLAYGROUND_MODELS.find((entry) => entry.model === model)?.prompt ?? ''
}

/** A minimal chat-like page: ask a recorded model something and watch the answer stream in. */
export function Playground({
  endpoint = '/api/predictions',
  initialModel = 'meta/meta-llama-3-8b-instruct',
}: PlaygroundProps) {
  const [model, setModel] = useState<PlaygroundModel>(initialModel)
  const [prompt, setPrompt] = useState(() => defaultPrompt(initialModel))
  const { text, status, phase, connection, error, metrics, start, cancel } = usePredictionStream({
    endpoint,
    model,
  })
  const ids = useId()
  const streaming = status === 'starting' || status === 'processing'

  return (
    <section
      aria-labelledby={`${ids}-title`}
      style={{ maxWidth: 720, margin: '0 auto', padding: 16 }}
    >
      <h2 id={`${ids}-title`} style={{ fontSize: 22, margin: '0 0 12px' }}>
        Prediction stream playground
      </h2>
      <form
        className="rps-card"
        style={{ gap: 8 }}
        onSubmit={(event) => {
          event.preventDefault()
          void start({ prompt })
        }}
      >
        <label htmlFor={`${ids}-model`} className="rps-label">
          Model
        </label>
        <select
          id={`${ids}-model`}
          value={model}
          onChange={(event) => {
            const next = event.target.value as PlaygroundModel
            // Changing the model gives the hook a fresh idle stream; the prompt follows along so
            // the recorded question matches the recorded answer.
            setModel(next)
            setPrompt(defaultPrompt(next))
          }}
        >
          {PLAYGROUND_MODELS.map((entry) => (
            <option key={entry.model} value={entry.model}>
              {entry.model}
            </option>
          ))}
        </select>
        <label htmlFor={`${ids}-prompt`} className="rps-label">
          Prompt
        </label>
        <textarea
          id={`${ids}-prompt`}
          value={prompt}
          rows={3}
          style={{ resize: 'vertical' }}
          onChange={(event) => setPrompt(event.target.value)}
        />
        <div className="rps-row" style={{ marginTop: 4 }}>
          <button type="submit" disabled={streaming}>
            Start
          </button>
          <button type="button" disabled={!streaming} onClick={() => void cancel()}>
            Cancel
          </button>
          {/* Not a live region: <StreamingText> announces the start, the end and errors. */}
          <p className="rps-meta">
            <StatusBadge status={status} />
            <ConnectionText connection={connection} />
          </p>
        </div>
      </form>
      <div className="rps-card">
        <h3 id={`${ids}-output`} className="rps-label">
          Output
        </h3>
        {/* A labelled region, focusable because a long answer scrolls. It is not live:
            StreamingText's own polite region says when the answer starts and ends, and
            aria-busy keeps assistive tech from reading it token by token. */}
        <StreamingText
          role="region"
          aria-labelledby={`${ids}-output`}
          tabIndex={0}
          text={text}
          status={status}
          className="rps-output"
          style={{ maxHeight: 480, overflowY: 'auto' }}
        />
        {error ? (
          <p role="alert" className="rps-error">
            {error.message}
          </p>
        ) : null}
        <Timing phase={phase} metrics={metrics} />
      </div>
    </section>
  )
}

/** Where the run is and how long each part took: the phases users ask about. */
function Timing({ phase, metrics }: { phase: StreamPhase; metrics: PredictionStreamMetrics }) {
  const ms = (value: number | null) => (value === null ? '–' : `${Math.round(value)} ms`)
  const rows: [string, string][] = [
    ['Phase', phase],
    ['Create', ms(metrics.createMs)],
    ['Queue and boot', ms(metrics.queueMs)],
    ['First output', ms(metrics.timeToFirstOutputMs)],
    ['Generation', ms(metrics.generationMs)],
    ['Stalled', ms(metrics.stalledMs)],
    ['Outputs', String(metrics.outputEvents)],
    ['Tokens/s', metrics.tokensPerSecond === null ? '–' : metrics.tokensPerSecond.toFixed(1)],
  ]
  return (
    <div role="group" aria-label="Timing">
      <dl className="rps-meta" style={{ flexWrap: 'wrap', gap: '4px 16px' }}>
        {rows.map(([name, value]) => (
          <div key={name} style={{ display: 'flex', gap: 4 }}>
            <dt className="rps-muted">{name}:</dt>
            <dd style={{ margin: 0 }} data-timing={name}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
    </div>
  )
}
