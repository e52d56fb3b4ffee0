'use client'
import {
  createElement,
  useCallback,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react'
import { PredictionChat } from '../core/chat/prediction-chat'
import { resolveTemplate } from '../core/chat/templates'
import type { ChatMessage, PredictionChatOptions, PredictionChatSnapshot } from '../core/chat/types'
import type { PredictionStream } from '../core/prediction-stream'
import type { StreamStatus } from '../core/types'
import { IncrementalText } from './incremental-text'
import type { StreamingTextProps } from './streaming-text'

/** Options of {@link usePredictionChat}: those of `PredictionChat`, plus how answers show. */
export interface UsePredictionChatOptions extends PredictionChatOptions {
  /**
   * Show answers without their leading whitespace in {@link UsePredictionChatResult.getTextProps}
   * (Llama 3 starts every answer with `"\n\n"`, which `white-space: pre-wrap` shows as blank
   * lines). Only the display changes: `content` stays verbatim.
   * @defaultValue `true`
   */
  trimLeadingWhitespace?: boolean
}

/** The props of `<StreamingText>` that show one message. */
export type ChatTextProps = Pick<
  StreamingTextProps,
  'stream' | 'text' | 'status' | 'error' | 'render'
>

/** What {@link usePredictionChat} returns: the chat's snapshot and its verbs. */
export interface UsePredictionChatResult extends PredictionChatSnapshot {
  /** Adds a user message; it is answered now, or queued while an answer runs. */
  send: PredictionChat['send']
  /** Cancels the running answer's prediction; the answer keeps its text. */
  stop: PredictionChat['stop']
  /** Asks again for the latest answer, or the answer with this id. */
  regenerate: PredictionChat['regenerate']
  /** Replaces a message's text and drops what followed; a user message is answered again. */
  edit: PredictionChat['edit']
  /** Replaces the thread. */
  setMessages: PredictionChat['setMessages']
  /** The stream of an answer while it streams, for `<StreamingText stream>`. */
  streamOf: (messageId: string) => PredictionStream | undefined
  /**
   * The `<StreamingText>` props that show `message`: its stream while it streams (so only that
   * answer re-renders per token), else its `content`; its status and error; and the display
   * without leading whitespace (see `trimLeadingWhitespace`). `<StreamingText {...getTextProps(m)} />`.
   */
  getTextProps: (message: ChatMessage) => ChatTextProps
  /** The framework-free chat underneath. */
  chat: PredictionChat
}

/**
 * A chat with a language model: a thread of messages where each answer is one prediction,
 * streamed by `usePredictionStream`'s engine (reconnection, typed errors, metrics per answer),
 * its input built from the history by a prompt template chosen from the model's name.
 *
 * - The component re-renders a few times per answer (asked, created, started, ended), never per
 *   token: render each answer with `<StreamingText {...getTextProps(message)} />`, which follows
 *   its own stream.
 * - The thread is kept in `localStorage` (or `storage`), painted at once after a reload, and a
 *   running answer is re-attached to its prediction, never created twice. Two tabs showing one
 *   `threadId` see the same messages.
 * - Nothing is requested on mount, except re-attaching a running answer (a `GET`).
 * - `fetch`, `headers`, `input`, `systemPrompt`, `template` and the callbacks are read when
 *   used; changing `endpoint`, `model`, `version`, `deployment` or `threadId` starts another
 *   chat; `storage`, `tabId` and the stream options are read once per chat.
 *
 * @example
 * ```tsx
 * const { messages, send, stop, getTextProps } = usePredictionChat({
 *   endpoint: '/api/predictions',
 *   model: 'meta/meta-llama-3-8b-instruct',
 * })
 * ```
 *
 * @throws {@link InvalidOptionsError} during render for invalid options, like any programming
 * error.
 */
export function usePredictionChat(options: UsePredictionChatOptions): UsePredictionChatResult {
  const latest = useRef(options)
  useEffect(() => {
    latest.current = options
  })
  const chat = useChatInstance(options, latest)
  useEffect(() => chat.retain(), [chat])
  const snapshot = useSyncExternalStore(chat.subscribe, chat.getSnapshot, chat.getServerSnapshot)
  const trim = options.trimLeadingWhitespace ?? true
  const getTextProps = useCallback(
    (message: ChatMessage): ChatTextProps => ({
      stream: chat.streamOf(message.id),
      text: message.content,
      status: message.role === 'assistant' ? (message.status as StreamStatus) : 'idle',
      error: message.error,
      render: trim && message.role === 'assistant' ? withoutLeadingWhitespace : undefined,
    }),
    [chat, trim],
  )
  return {
    ...snapshot,
    send: chat.send,
    stop: chat.stop,
    regenerate: chat.regenerate,
    edit: chat.edit,
    setMessages: chat.setMessages,
    streamOf: chat.streamOf,
    getTextProps,
    chat,
  }
}

/** Shows text without its leading whitespace, still appending only what is new to the DOM. */
function withoutLeadingWhitespace(text: string): ReactNode {
  return createElement(IncrementalText, { text: text.trimStart() })
}

function useChatInstance(
  options: UsePredictionChatOptions,
  latest: { current: UsePredictionChatOptions },
): PredictionChat {
  const { endpoint, model, version, deployment, threadId } = options
  const key = [endpoint, model, version, deployment, threadId].join('\u0000')
  const create = () => {
    // An unknown template name is a programming error: reported now, not at the first answer.
    resolveTemplate(options.template, model)
    const { storage, tabId, retry, timers, now, stallTimeoutMs, pollIntervalMs } = options
    return new PredictionChat({
      ...{ endpoint, model, version, deployment, threadId, storage, tabId },
      ...{ retry, timers, now, stallTimeoutMs, pollIntervalMs },
      maxPollIntervalMs: options.maxPollIntervalMs,
      // Read when used, so new values each render are picked up without a new chat.
      fetch: ((input, init) =>
        (latest.current.fetch ?? globalThis.fetch)(input, init)) as typeof fetch,
      headers: () => {
        const headers = latest.current.headers
        return (typeof headers === 'function' ? headers() : headers) ?? {}
      },
      template: (turns, context) =>
        resolveTemplate(latest.current.template, latest.current.model)(turns, {
          ...context,
          systemPrompt: latest.current.systemPrompt,
        }),
      input: (messages) => {
        const input = latest.current.input
        return (typeof input === 'function' ? input(messages) : input) ?? {}
      },
      onFinish: (message) => latest.current.onFinish?.(message),
      onError: (error, message) => latest.current.onError?.(error, message),
    })
  }
  const [owned, setOwned] = useState(() => ({ key, chat: create() }))
  if (owned.key !== key) {
    // Adjusting state during render (react.dev, "You might not need an effect"): the previous
    // chat is released by its effect's cleanup.
    const chat = create()
    setOwned({ key, chat })
    return chat
  }
  return owned.chat
}
