/**
 * Pure operations on a thread: each returns a new thread (or the same one when nothing changes)
 * and never touches the one it was given. The chat applies them to the freshest stored copy, so
 * two tabs writing one after the other keep each other's changes.
 */
import { isRunningStatus, isTerminalStatus } from '../prediction'
import type { Thread } from './stored-thread'
import type { ChatTurn } from './templates'
import type { ChatMessage } from './types'

export const emptyThread: Thread = { messages: [], tabs: new Map() }

/** The answer being generated, if any: there is at most one per thread. */
export function runningAnswer(messages: readonly ChatMessage[]): ChatMessage | undefined {
  return messages.find((m) => m.role === 'assistant' && isRunningStatus(m.status))
}

/** The oldest queued follow-up, which runs next. */
export function firstQueued(messages: readonly ChatMessage[]): ChatMessage | undefined {
  return messages.find((m) => m.status === 'queued')
}

/** The latest answer, if any. */
export function lastAnswer(messages: readonly ChatMessage[]): ChatMessage | undefined {
  return findLast(messages, (m) => m.role === 'assistant')
}

/** The user message an answer answers: the nearest one before it. */
export function questionOf(messages: readonly ChatMessage[], answerId: string) {
  const index = messages.findIndex((m) => m.id === answerId)
  return findLast(messages.slice(0, Math.max(index, 0)), (m) => m.role === 'user')
}

/** `Array.prototype.findLast`, which the ES2022 library this package targets lacks. */
function findLast<T>(items: readonly T[], predicate: (item: T) => boolean): T | undefined {
  for (let index = items.length - 1; index >= 0; index -= 1) {
    if (predicate(items[index] as T)) return items[index]
  }
  return undefined
}

/** The history a template formats to answer `userId`: every message up to it, in order. */
export function historyUpTo(messages: readonly ChatMessage[], userId: string): ChatTurn[] {
  const end = messages.findIndex((m) => m.id === userId)
  return messages
    .slice(0, end + 1)
    .filter((m) => m.status !== 'queued' || m.id === userId)
    .map(({ role, content }) => ({ role, content }))
}

/** Adds `message` (of `tab`) right after `afterId`, or at the end. */
export function addMessage(
  thread: Thread,
  message: ChatMessage,
  tab: string,
  afterId?: string,
): Thread {
  const index = afterId === undefined ? -1 : thread.messages.findIndex((m) => m.id === afterId)
  const messages = [...thread.messages]
  messages.splice(index === -1 ? messages.length : index + 1, 0, message)
  return { messages, tabs: new Map(thread.tabs).set(message.id, tab) }
}

/** Changes message `id`, when it exists and `when(message)` holds. */
export function patchMessage(
  thread: Thread,
  id: string,
  patch: Partial<Omit<ChatMessage, 'id' | 'role'>>,
  when: (message: ChatMessage) => boolean = () => true,
): Thread {
  const index = thread.messages.findIndex((m) => m.id === id)
  const current = thread.messages[index]
  if (!current || !when(current)) return thread
  const messages = [...thread.messages]
  messages[index] = { ...current, ...patch }
  return { messages, tabs: thread.tabs }
}

/** Only an answer that has not ended changes: an end is final, whichever tab wrote it first. */
export const notEnded = (message: ChatMessage) => !isTerminalStatus(message.status)

/**
 * Drops what followed message `id` (and `id` itself when `inclusive`), except queued
 * follow-ups, which stay queued: the user asked for them after all. Returns the dropped ones.
 */
export function dropFollowing(
  thread: Thread,
  id: string,
  inclusive: boolean,
): { thread: Thread; dropped: ChatMessage[] } {
  const index = thread.messages.findIndex((m) => m.id === id)
  if (index === -1) return { thread, dropped: [] }
  const start = inclusive ? index : index + 1
  const dropped = thread.messages.slice(start).filter((m) => m.status !== 'queued')
  if (dropped.length === 0) return { thread, dropped }
  const gone = new Set(dropped.map((m) => m.id))
  const tabs = new Map([...thread.tabs].filter(([key]) => !gone.has(key)))
  return { thread: { messages: thread.messages.filter((m) => !gone.has(m.id)), tabs }, dropped }
}
