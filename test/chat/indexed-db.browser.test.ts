/**
 * The IndexedDB storage in Chromium's real IndexedDB, with a chat against the local server
 * mounted in Vitest's Vite server: the thread is restored one task after the chat is created,
 * and messages sent before that are kept and answered after it.
 */
import { describe, expect, it } from 'vitest'
import { indexedDbChatStorage, PredictionChat, type PredictionChatSnapshot } from '../../src/index'
import { until } from '../../testkit/until'

const LLAMA_3 = 'meta/meta-llama-3-8b-instruct'
const HAIKU = 'Please write a haiku about llamas'
const POEM =
  "Can you write a poem about open source machine learning? Let's make it in the style of E. E. Cummings."

const settled = (s: PredictionChatSnapshot) =>
  s.restored && s.status === 'idle' && !s.messages.some((m) => m.status === 'queued')
const shape = (s: PredictionChatSnapshot) => s.messages.map((m) => [m.role, m.status, m.content])

describe('indexedDbChatStorage', () => {
  it('keeps a thread, and restores it with the sends made before the restore', async () => {
    const databaseName = `chat-test-${crypto.randomUUID()}`
    const open = () =>
      new PredictionChat({
        endpoint: '/api/predictions',
        model: LLAMA_3,
        threadId: 'thread',
        storage: indexedDbChatStorage({ databaseName }),
      })

    const first = open()
    expect(first.getSnapshot().restored).toBe(false)
    // Sent before the (empty) thread was read: kept, and answered once it has been.
    first.send(HAIKU)
    expect(first.getSnapshot().messages.map((m) => m.status)).toEqual(['queued'])
    const one = await until(first, (s) => settled(s) && s.messages.length === 2)
    expect(one.messages.map((m) => m.status)).toEqual(['sent', 'succeeded'])

    const second = open()
    expect(second.getSnapshot().messages).toEqual([])
    second.send(POEM)
    const two = await until(second, (s) => settled(s) && s.messages.length === 4)
    expect(shape(two).slice(0, 2)).toEqual(shape(one))
    expect(
      shape(two)
        .slice(2)
        .map(([role, status]) => [role, status]),
    ).toEqual([
      ['user', 'sent'],
      ['assistant', 'succeeded'],
    ])
    expect(two.messages[2]!.content).toBe(POEM)

    const third = open()
    const restored = await until(third, (s) => s.restored)
    expect(shape(restored)).toEqual(shape(two))
    expect(restored.messages[1]!.metrics?.outputEvents).toBe(one.messages[1]!.metrics?.outputEvents)
    indexedDB.deleteDatabase(databaseName)
  })
})
