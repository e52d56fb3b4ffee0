/**
 * The page the Chromium chat tests load (reload.test.ts): a chat on `usePredictionChat` under
 * StrictMode, its thread named by `?thread=`. Answers are shown verbatim, and every answer this
 * page saw end is appended to `sessionStorage.finished`, so a test can count completions across
 * a reload.
 */
import { StrictMode, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { StreamingText, usePredictionChat } from '../../../src/index'

function ChatPage() {
  const threadId = new URLSearchParams(location.search).get('thread') ?? 'chat'
  const { messages, send, getTextProps } = usePredictionChat({
    endpoint: '/api/predictions',
    model: 'meta/meta-llama-3-8b-instruct',
    threadId,
    trimLeadingWhitespace: false,
    onFinish: (message) => {
      const finished = JSON.parse(sessionStorage.getItem('finished') ?? '[]') as string[]
      sessionStorage.setItem('finished', JSON.stringify([...finished, message.id]))
    },
  })
  const [draft, setDraft] = useState('')
  return (
    <main>
      <ol>
        {messages.map((message) => (
          <li key={message.id} data-role={message.role} data-status={message.status}>
            <StreamingText {...getTextProps(message)} cursor={false} announcements={false} />
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
      </form>
    </main>
  )
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <ChatPage />
  </StrictMode>,
)
