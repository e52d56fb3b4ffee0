import {
  memo,
  useCallback,
  useId,
  useRef,
  useState,
  type CSSProperties,
  type FormEvent,
  type KeyboardEvent,
} from 'react'
import {
  StreamingText,
  useAutoScroll,
  usePredictionChat,
  type ChatMessage,
  type PredictionStream,
  type RetryOptions,
  type UsePredictionChatResult,
} from '../../src/index'

export interface ChatDemoProps {
  /** Names the thread kept in `localStorage`. */
  threadId: string
  model?: string
  /** The route handler mounted by the Storybook dev server. */
  endpoint?: string
  /** A `fetch` to use instead of the global one (stories that watch or drop the network). */
  fetch?: typeof globalThis.fetch
  retry?: RetryOptions
  systemPrompt?: string
  /** Prompts offered as buttons: the local server has recorded answers for these. */
  suggestions?: readonly string[]
  /** The prompt a prediction was created with, to show under its answer. */
  promptOf?: (predictionId: string) => unknown
  /** Called on every render of the message list (stories count them). */
  onListRender?: () => void
}

/**
 * A complete chat on `usePredictionChat`: a thread that survives reloads, answers streamed each
 * in its own `<StreamingText>`, stop, regenerate, edit, follow-ups queued while an answer
 * streams, per-answer errors and metrics, and auto-scroll that lets the reader scroll up. Fully
 * usable from the keyboard: Enter sends, Shift+Enter starts a new line, Escape stops.
 */
export function ChatDemo({
  threadId,
  model = 'meta/meta-llama-3-8b-instruct',
  endpoint = '/api/predictions',
  fetch,
  retry,
  systemPrompt,
  suggestions = [],
  promptOf,
  onListRender,
}: ChatDemoProps) {
  const { messages, status, send, stop, streamOf, getTextProps, edit, regenerate } =
    usePredictionChat({ endpoint, model, threadId, fetch, retry, systemPrompt })
  const [draft, setDraft] = useState('')
  const composer = useRef<HTMLTextAreaElement>(null)
  const { ref: threadRef, pinned, scrollToBottom } = useAutoScroll<HTMLDivElement>()
  const composerId = useId()
  const focusComposer = useCallback(() => composer.current?.focus(), [])

  const submit = (event?: FormEvent) => {
    event?.preventDefault()
    if (draft.trim() === '') return
    send(draft)
    setDraft('')
  }
  const onComposerKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey) submit(event)
    if (event.key === 'Escape' && status !== 'idle') void stop()
  }

  return (
    <section aria-label="Chat" style={styles.chat}>
      <div
        ref={threadRef}
        role="region"
        aria-label="Messages"
        // Focusable: the thread scrolls, and keyboard users must be able to scroll it.
        tabIndex={0}
        style={styles.thread}
      >
        <MessageList
          messages={messages}
          actions={{ streamOf, getTextProps, edit, regenerate }}
          promptOf={promptOf}
          onDone={focusComposer}
          onRender={onListRender}
        />
        {messages.length === 0 ? <p style={styles.empty}>Ask something to start.</p> : null}
      </div>
      {pinned ? null : (
        <button type="button" onClick={scrollToBottom} style={styles.jump}>
          Jump to latest
        </button>
      )}
      {suggestions.length > 0 ? (
        <div role="group" aria-label="Recorded prompts" style={styles.suggestions}>
          {suggestions.map((prompt) => (
            <button key={prompt} type="button" onClick={() => send(prompt)} style={styles.chip}>
              {prompt.length > 60 ? `${prompt.slice(0, 57)}…` : prompt}
            </button>
          ))}
        </div>
      ) : null}
      <form onSubmit={submit} style={styles.form}>
        <label htmlFor={composerId} style={styles.label}>
          Message
        </label>
        <textarea
          id={composerId}
          ref={composer}
          value={draft}
          rows={2}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onComposerKey}
          aria-describedby={`${composerId}-hint`}
          style={styles.textarea}
        />
        <p id={`${composerId}-hint`} style={styles.hint}>
          Enter sends, Shift+Enter starts a new line, Escape stops the answer. A message sent while
          an answer streams is queued.
        </p>
        <div style={styles.actions}>
          <button type="submit" disabled={draft.trim() === ''}>
            Send
          </button>
          <button
            type="button"
            disabled={status === 'idle'}
            onClick={() => void stop().then(focusComposer)}
          >
            Stop
          </button>
          <span style={styles.status}>{status === 'idle' ? 'Ready' : `Answer ${status}`}</span>
        </div>
      </form>
    </section>
  )
}

type MessageActions = Pick<
  UsePredictionChatResult,
  'streamOf' | 'getTextProps' | 'edit' | 'regenerate'
>

/**
 * The thread. It re-renders when a message is added, changes status or ends, never per token
 * and never as the composer is typed in (memoized on `messages`; the verbs are stable).
 */
const MessageList = memo(
  function MessageList({
    messages,
    actions,
    promptOf,
    onDone,
    onRender,
  }: {
    messages: readonly ChatMessage[]
    actions: MessageActions
    promptOf?: (predictionId: string) => unknown
    onDone: () => void
    onRender?: () => void
  }) {
    onRender?.()
    return (
      <ol style={styles.list}>
        {messages.map((message) => (
          <MessageItem
            key={message.id}
            message={message}
            stream={actions.streamOf(message.id)}
            actions={actions}
            promptOf={promptOf}
            onDone={onDone}
          />
        ))}
      </ol>
    )
  },
  (before, after) =>
    before.messages === after.messages &&
    before.promptOf === after.promptOf &&
    before.onDone === after.onDone &&
    before.onRender === after.onRender,
)

const MessageItem = memo(
  function MessageItem({
    message,
    stream,
    actions,
    promptOf,
    onDone,
  }: {
    message: ChatMessage
    /** Passed so that a message starting or stopping to stream re-renders. */
    stream: PredictionStream | undefined
    actions: MessageActions
    promptOf?: (predictionId: string) => unknown
    onDone: () => void
  }) {
    const [editing, setEditing] = useState(false)
    const user = message.role === 'user'
    const prompt = message.predictionId ? promptOf?.(message.predictionId) : undefined
    const save = (text: string) => {
      setEditing(false)
      if (text !== message.content) actions.edit(message.id, text)
      onDone()
    }
    return (
      <li style={user ? styles.user : styles.answer} data-role={message.role} data-testid="message">
        <p style={styles.author}>
          {user ? 'You' : 'Llama'}
          {message.status === 'queued' ? <span style={styles.badge}>Queued</span> : null}
        </p>
        {editing ? (
          <EditForm
            text={message.content}
            onSave={save}
            onCancel={() => {
              setEditing(false)
              onDone()
            }}
          />
        ) : (
          <StreamingText
            {...actions.getTextProps(message)}
            stream={stream}
            data-testid={user ? 'question' : 'answer'}
            announcements={user ? false : undefined}
            style={styles.text}
          />
        )}
        {message.error ? (
          <p role="alert" style={styles.error}>
            {message.error.message}
          </p>
        ) : null}
        {!user &&
        message.metrics &&
        message.status !== 'starting' &&
        message.status !== 'processing' ? (
          <p style={styles.meta}>
            {message.status} · {message.metrics.outputEvents} tokens
            {message.metrics.timeToFirstOutputMs !== null
              ? ` · first token after ${message.metrics.timeToFirstOutputMs} ms`
              : ''}
          </p>
        ) : null}
        {typeof prompt === 'string' ? (
          <details style={styles.details}>
            <summary>Prompt sent</summary>
            <pre style={styles.prompt} data-testid="prompt">
              {prompt}
            </pre>
          </details>
        ) : null}
        {editing ? null : (
          <div style={styles.actions}>
            {user ? (
              <button type="button" onClick={() => setEditing(true)}>
                Edit
              </button>
            ) : message.status !== 'starting' && message.status !== 'processing' ? (
              <button
                type="button"
                onClick={() => {
                  actions.regenerate(message.id)
                  onDone()
                }}
              >
                Regenerate
              </button>
            ) : null}
          </div>
        )}
      </li>
    )
  },
  // The verbs are stable; `actions` is a new object per render of the list.
  (before, after) =>
    before.message === after.message &&
    before.stream === after.stream &&
    before.promptOf === after.promptOf &&
    before.onDone === after.onDone,
)

function EditForm({
  text,
  onSave,
  onCancel,
}: {
  text: string
  onSave: (text: string) => void
  onCancel: () => void
}) {
  const [value, setValue] = useState(text)
  const id = useId()
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault()
        onSave(value)
      }}
    >
      <label htmlFor={id} style={styles.label}>
        Edit message
      </label>
      <textarea
        id={id}
        value={value}
        rows={2}
        // Focus moves into the editor it opened, as a dialog's would.
        autoFocus
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey) {
            event.preventDefault()
            onSave(value)
          }
          if (event.key === 'Escape') onCancel()
        }}
        style={styles.textarea}
      />
      <div style={styles.actions}>
        <button type="submit">Save and ask again</button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}

const styles = {
  chat: {
    maxWidth: 760,
    margin: '0 auto',
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    color: '#1f2328',
    background: '#ffffff',
  },
  thread: {
    maxHeight: 480,
    overflowY: 'auto',
    border: '1px solid #d0d7de',
    borderRadius: 8,
    padding: 12,
  },
  list: { listStyle: 'none', margin: 0, padding: 0 },
  user: { margin: '8px 0', padding: 12, borderRadius: 8, background: '#ddf4ff' },
  answer: { margin: '8px 0', padding: 12, borderRadius: 8, background: '#f6f8fa' },
  author: { margin: '0 0 4px', fontWeight: 600, fontSize: 14 },
  badge: {
    marginLeft: 8,
    padding: '0 6px',
    borderRadius: 10,
    border: '1px solid #9a6700',
    color: '#7d4e00',
    fontWeight: 400,
  },
  text: { lineHeight: 1.5 },
  error: { color: '#a40e26', margin: '8px 0 0' },
  meta: { color: '#424a53', fontSize: 13, margin: '8px 0 0' },
  details: { marginTop: 8, fontSize: 13 },
  prompt: { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', margin: '4px 0 0' },
  empty: { color: '#424a53', margin: 0 },
  jump: { marginTop: 8 },
  suggestions: { display: 'flex', flexWrap: 'wrap', gap: 8, marginTop: 12 },
  chip: { borderRadius: 16 },
  form: { marginTop: 12 },
  label: { display: 'block', fontWeight: 600, marginBottom: 4 },
  textarea: { width: '100%', boxSizing: 'border-box', font: 'inherit', padding: 8 },
  hint: { color: '#424a53', fontSize: 13, margin: '4px 0 8px' },
  actions: { display: 'flex', gap: 8, alignItems: 'center', marginTop: 8 },
  status: { marginLeft: 'auto', color: '#424a53', fontSize: 14 },
} satisfies Record<string, CSSProperties>
