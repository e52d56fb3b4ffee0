import { useEffect, useState, type CSSProperties } from 'react'
import { PredictionStream, StreamingText } from '../../src/index'

export const CHAT_QUESTIONS = [
  { model: 'meta/meta-llama-3-8b-instruct', prompt: 'Please write a haiku about llamas' },
  { model: 'meta/llama-2-70b-chat', prompt: 'A poem about open source machine learning' },
  { model: 'meta/meta-llama-3-8b-instruct', prompt: 'Another haiku, please' },
] as const

/**
 * A chat-like list of several answers streaming at once. The list owns the streams and hands
 * each to a `<StreamingText stream>`, which subscribes itself: tokens re-render one answer,
 * never the list around it.
 */
export function ChatList({
  endpoint = '/api/predictions',
  onRender,
}: {
  endpoint?: string
  /** Called on every render of the list itself (stories count them). */
  onRender?: () => void
}) {
  onRender?.()
  const [streams] = useState(() =>
    CHAT_QUESTIONS.map((question) => new PredictionStream({ endpoint, model: question.model })),
  )
  // The list owns the streams: leaving the page closes their connections.
  useEffect(() => {
    const releases = streams.map((stream) => stream.retain())
    return () => releases.forEach((release) => release())
  }, [streams])
  return (
    <section aria-label="Chat" style={styles.list}>
      <button
        type="button"
        onClick={() =>
          streams.forEach(
            (stream, index) => void stream.start({ prompt: CHAT_QUESTIONS[index]!.prompt }),
          )
        }
      >
        Ask all
      </button>
      <ol style={styles.messages}>
        {CHAT_QUESTIONS.map((question, index) => (
          <li key={index} style={styles.message}>
            <p style={styles.question}>{question.prompt}</p>
            <StreamingText
              data-testid={`answer-${index}`}
              stream={streams[index]}
              style={styles.answer}
            />
          </li>
        ))}
      </ol>
    </section>
  )
}

const styles = {
  list: {
    maxWidth: 720,
    margin: '0 auto',
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    color: '#1f2328',
  },
  messages: { listStyle: 'none', padding: 0 },
  message: { border: '1px solid #d0d7de', borderRadius: 8, padding: 12, marginTop: 12 },
  question: { margin: '0 0 8px', fontWeight: 600 },
  answer: { lineHeight: 1.5 },
} satisfies Record<string, CSSProperties>
