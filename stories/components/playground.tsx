import { useId, useState, type CSSProperties } from 'react'
import { StreamingText, usePredictionStream } from '../../src/index'

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
  const { text, status, connection, error, start, cancel } = usePredictionStream({
    endpoint,
    model,
  })
  const ids = useId()
  const streaming = status === 'starting' || status === 'processing'

  return (
    <section aria-labelledby={`${ids}-title`} style={styles.page}>
      <h2 id={`${ids}-title`} style={styles.title}>
        Prediction stream playground
      </h2>
      <form
        style={styles.card}
        onSubmit={(event) => {
          event.preventDefault()
          void start({ prompt })
        }}
      >
        <label htmlFor={`${ids}-model`} style={styles.label}>
          Model
        </label>
        <select
          id={`${ids}-model`}
          value={model}
          style={styles.field}
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
        <label htmlFor={`${ids}-prompt`} style={styles.label}>
          Prompt
        </label>
        <textarea
          id={`${ids}-prompt`}
          value={prompt}
          rows={3}
          style={{ ...styles.field, resize: 'vertical' }}
          onChange={(event) => setPrompt(event.target.value)}
        />
        <div style={styles.actions}>
          <button type="submit" disabled={streaming} style={styles.primary}>
            Start
          </button>
          <button
            type="button"
            disabled={!streaming}
            style={styles.secondary}
            onClick={() => void cancel()}
          >
            Cancel
          </button>
          {/* Not a live region: <StreamingText> announces the start, the end and errors. */}
          <p style={styles.meta}>
            <span>Status: {status}</span>
            <span>Connection: {connection}</span>
          </p>
        </div>
      </form>
      <div style={styles.card}>
        <h3 id={`${ids}-output`} style={styles.label}>
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
          style={styles.output}
        />
        {error ? (
          <p role="alert" style={styles.error}>
            {error.message}
          </p>
        ) : null}
      </div>
    </section>
  )
}

const styles = {
  page: {
    maxWidth: 720,
    margin: '0 auto',
    padding: 16,
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    fontSize: 16,
    lineHeight: 1.5,
    color: '#1f2328',
  },
  title: { fontSize: 22, margin: '0 0 12px' },
  card: {
    display: 'flex',
    flexDirection: 'column',
    gap: 8,
    padding: 16,
    marginBottom: 16,
    border: '1px solid #d0d7de',
    borderRadius: 8,
    background: '#ffffff',
    boxShadow: '0 1px 2px rgba(31, 35, 40, 0.08)',
  },
  label: { fontSize: 14, fontWeight: 600, margin: 0 },
  field: {
    font: 'inherit',
    padding: '6px 8px',
    border: '1px solid #8c959f',
    borderRadius: 6,
    color: 'inherit',
    background: '#ffffff',
  },
  actions: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 8, marginTop: 4 },
  primary: {
    font: 'inherit',
    padding: '6px 16px',
    border: '1px solid #0969da',
    borderRadius: 6,
    background: '#0969da',
    color: '#ffffff',
    cursor: 'pointer',
  },
  secondary: {
    font: 'inherit',
    padding: '6px 16px',
    border: '1px solid #8c959f',
    borderRadius: 6,
    background: '#f6f8fa',
    color: '#1f2328',
    cursor: 'pointer',
  },
  meta: {
    display: 'flex',
    gap: 16,
    margin: '0 0 0 auto',
    fontSize: 14,
    color: '#57606a',
  },
  output: { minHeight: '4.5em', maxHeight: 480, overflowY: 'auto' },
  error: {
    margin: 0,
    padding: '8px 12px',
    borderRadius: 6,
    background: '#ffebe9',
    color: '#82071e',
  },
} satisfies Record<string, CSSProperties>
