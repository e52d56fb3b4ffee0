import { useState } from 'react'
import { StreamingText, usePredictionChat } from '../../src/index'

/** A custom chat composed from `usePredictionChat` and `<StreamingText>` alone. */
export function MinimalChat({ threadId = 'minimal-chat' }: { threadId?: string }) {
  const { messages, status, send, stop, getTextProps } = usePredictionChat({
    endpoint: '/api/predictions',
    model: 'meta/meta-llama-3-8b-instruct',
    threadId,
  })
  const [draft, setDraft] = useState('')
  return (
    <section aria-label="Minimal chat">
      <ol>
        {messages.map((message) => (
          <li key={message.id}>
            <strong>{message.role === 'user' ? 'You' : 'Llama'}</strong>
            <StreamingText {...getTextProps(message)} />
          </li>
        ))}
      </ol>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          send(draft)
          setDraft('')
        }}
      >
        <label>
          Message <input value={draft} onChange={(event) => setDraft(event.target.value)} />
        </label>
        <button type="submit">Send</button>
        <button type="button" disabled={status === 'idle'} onClick={() => void stop()}>
          Stop
        </button>
      </form>
    </section>
  )
}
