/**
 * PredictionChat against the real local server over loopback: the prompt each turn sends, the
 * queue, stop, regenerate, edit, failures, a restored thread and two tabs on one thread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  PredictionChat,
  PredictionFailedError,
  type PredictionChatOptions,
  type PredictionChatSnapshot,
} from '../../src/core/index'
import { startReplicateServer, type ReplicateServer } from '../../src/testing/index'
import { recordingFor } from '../../src/testing/models/prompt-match'
import { until } from '../../testkit/until'
import { origin } from './tabs'

const LLAMA_3 = 'meta/meta-llama-3-8b-instruct'
const HAIKU = 'Please write a haiku about llamas'
const POEM =
  "Can you write a poem about open source machine learning? Let's make it in the style of E. E. Cummings."
/** Goliath's recorded blog post: 927 tokens, time enough to stop it midway. */
const BLOG =
  'write me a blogpost all about parmigiano reggiano. Include helpful tips, like what to do with the rinds, whether you should buy pre-grated vs non-grated, etc, etc. Grumble about poor quality american Parmesan.'

const user = (text: string) => `<|start_header_id|>user<|end_header_id|>\n\n${text}<|eot_id|>`
const assistant = (text: string) =>
  `<|start_header_id|>assistant<|end_header_id|>\n\n${text.trim()}<|eot_id|>`
const answerHeader = '<|start_header_id|>assistant<|end_header_id|>\n\n'
const replayed = (prompt: string) => recordingFor(LLAMA_3, { prompt }).output.join('')

let server: ReplicateServer
let slow: ReplicateServer
beforeAll(async () => {
  ;[server, slow] = await Promise.all([
    startReplicateServer({ cadence: 'fast' }),
    startReplicateServer({ cadence: { firstOutputDelayMs: 0, outputIntervalMs: 3 } }),
  ])
})
afterAll(() => Promise.all([server.close(), slow.close()]))

function chatOn(target: ReplicateServer, options: Partial<PredictionChatOptions> = {}) {
  return new PredictionChat({
    endpoint: target.predictionsUrl,
    model: LLAMA_3,
    storage: false,
    ...options,
  })
}

/** Resolves with the snapshot once `predicate` holds (checked now and after every change). */

const settled = (s: PredictionChatSnapshot) =>
  s.status === 'idle' && !s.messages.some((m) => m.status === 'queued')

/** The prompts of the predictions created on `target` since `from`. */
const promptsSince = (target: ReplicateServer, from: number) =>
  target.predictions.slice(from).map((p) => p.input.prompt)

// Answers of 927 tokens at 3 ms each: longer than the default 5 s on a loaded machine.
describe('PredictionChat', { timeout: 30_000 }, () => {
  it('sends the history in the Llama 3 format each turn, one prediction per answer', async () => {
    const from = server.predictions.length
    const chat = chatOn(server)
    chat.send(HAIKU)
    await until(chat, settled)
    chat.send(POEM)
    await until(chat, settled)
    chat.send(BLOG)
    const { messages } = await until(chat, settled)

    const first = `<|begin_of_text|>${user(HAIKU)}${answerHeader}`
    const answer1 = replayed(first)
    const second = `<|begin_of_text|>${user(HAIKU)}${assistant(answer1)}${user(POEM)}${answerHeader}`
    const answer2 = replayed(second)
    const third =
      `<|begin_of_text|>${user(HAIKU)}${assistant(answer1)}${user(POEM)}${assistant(answer2)}` +
      `${user(BLOG)}${answerHeader}`
    expect(promptsSince(server, from)).toEqual([first, second, third])
    expect(server.predictions.slice(from).map((p) => p.input.prompt_template)).toEqual([
      '{prompt}',
      '{prompt}',
      '{prompt}',
    ])
    // The local server answers what was asked: a haiku, the recorded poem, the blog post.
    expect(messages.map((m) => [m.role, m.status, m.content])).toEqual([
      ['user', 'sent', HAIKU],
      ['assistant', 'succeeded', answer1],
      ['user', 'sent', POEM],
      ['assistant', 'succeeded', answer2],
      ['user', 'sent', BLOG],
      ['assistant', 'succeeded', replayed(third)],
    ])
    expect(answer1).toMatch(/^\n\n/) // kept verbatim in content
    expect(answer2).toContain('open source')
    expect(messages[5]!.content).toContain('Parmigiano')
    // Each answer names its own prediction, as the endpoint returned it.
    const ids = messages.filter((m) => m.role === 'assistant').map((m) => m.predictionId)
    expect(new Set(ids).size).toBe(3)
    expect(ids.every((id) => typeof id === 'string' && id !== '')).toBe(true)
    expect(messages[1]!.metrics?.outputEvents).toBe(
      recordingFor(LLAMA_3, { prompt: first }).output.length,
    )
  })

  it('queues a follow-up sent while an answer streams, and runs it next', async () => {
    const from = slow.predictions.length
    const chat = chatOn(slow)
    chat.send(BLOG)
    await until(chat, (s) => s.status === 'processing')
    chat.send(HAIKU)
    expect(chat.getSnapshot().messages.map((m) => m.status)).toEqual([
      'sent',
      'processing',
      'queued',
    ])
    const { messages } = await until(chat, settled)
    expect(messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'sent'],
      ['assistant', 'succeeded'],
      ['user', 'sent'],
      ['assistant', 'succeeded'],
    ])
    expect(slow.predictions.length - from).toBe(2)
    // The follow-up's prompt holds the whole first answer.
    expect(promptsSince(slow, from)[1]).toContain(messages[1]!.content.trim())
  })

  it('stops an answer keeping its text, and regenerates it', async () => {
    const from = slow.predictions.length
    const chat = chatOn(slow)
    chat.send(BLOG)
    const streaming = await until(chat, (s) => s.status === 'processing')
    const stream = chat.streamOf(streaming.messages[1]!.id)!
    await new Promise<void>((resolve) => {
      const unsubscribe = stream.subscribe(() => {
        if (stream.getSnapshot().text.length < 20) return
        unsubscribe()
        resolve()
      })
    })
    await chat.stop()
    const stopped = await until(chat, (s) => s.status === 'idle')
    const partial = stopped.messages[1]!
    const full = replayed(`<|begin_of_text|>${user(BLOG)}${answerHeader}`)
    expect(partial.status).toBe('canceled')
    expect(partial.content.length).toBeGreaterThan(0)
    expect(partial.content.length).toBeLessThan(full.length)
    expect(full.startsWith(partial.content)).toBe(true)
    expect(chat.streamOf(partial.id)).toBeUndefined()

    chat.regenerate()
    const { messages } = await until(chat, settled)
    expect(messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'sent'],
      ['assistant', 'succeeded'],
    ])
    expect(messages[1]!.id).not.toBe(partial.id)
    expect(messages[1]!.content).toBe(full)
    expect(slow.predictions.length - from).toBe(2)
  })

  it('edits a question: what followed is dropped and the new text is asked', async () => {
    const from = server.predictions.length
    const chat = chatOn(server)
    chat.send(POEM)
    await until(chat, settled)
    chat.send(BLOG)
    await until(chat, settled)
    chat.edit(chat.getSnapshot().messages[0]!.id, HAIKU)
    const { messages } = await until(chat, settled)
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ['user', HAIKU],
      ['assistant', replayed(`<|begin_of_text|>${user(HAIKU)}${answerHeader}`)],
    ])
    expect(promptsSince(server, from)).toEqual([
      `<|begin_of_text|>${user(POEM)}${answerHeader}`,
      expect.stringContaining(user(BLOG)),
      `<|begin_of_text|>${user(HAIKU)}${answerHeader}`,
    ])
  })

  it('keeps the text of a failed answer with its typed error, and regenerates it', async () => {
    const target = await startReplicateServer({
      cadence: 'fast',
      faults: { fail: { afterOutputs: 3, detail: 'CUDA out of memory', times: 1 } },
    })
    try {
      const errors: unknown[] = []
      const chat = chatOn(target, { onError: (error) => errors.push(error) })
      chat.send(HAIKU)
      const failed = await until(chat, settled)
      const prompt = `<|begin_of_text|>${user(HAIKU)}${answerHeader}`
      const answer = failed.messages[1]!
      expect(answer.status).toBe('failed')
      expect(answer.error).toBeInstanceOf(PredictionFailedError)
      expect(failed.error).toBe(answer.error)
      expect(answer.content).toBe(recordingFor(LLAMA_3, { prompt }).output.slice(0, 3).join(''))
      expect(errors).toEqual([answer.error])

      chat.regenerate(answer.id)
      const { messages, error } = await until(chat, settled)
      expect(messages[1]!.status).toBe('succeeded')
      expect(messages[1]!.content).toBe(replayed(prompt))
      expect(error).toBeNull()
      expect(target.predictions).toHaveLength(2)
    } finally {
      await target.close()
    }
  })

  it('uses the Llama 2 chat format for meta/llama-2-70b-chat, and setMessages as history', async () => {
    const from = server.predictions.length
    const chat = chatOn(server, { model: 'meta/llama-2-70b-chat', systemPrompt: 'Be brief.' })
    chat.setMessages([
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: ' Hi! How can I help?' },
    ])
    chat.send(POEM)
    const { messages } = await until(chat, settled)
    expect(promptsSince(server, from)).toEqual([
      `<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHello [/INST] Hi! How can I help? </s><s>[INST] ${POEM} [/INST]`,
    ])
    expect(messages[3]!.content).toBe(
      recordingFor('meta/llama-2-70b-chat', { prompt: POEM }).output.join(''),
    )
  })
})

describe('PredictionChat in storage', { timeout: 30_000 }, () => {
  it('restores the thread at once after a reload and re-attaches the running answer', async () => {
    const from = slow.predictions.length
    const page = origin()
    const before = chatOn(slow, { storage: page.tab().chatStorage, tabId: 'tab-1' })
    const releaseBefore = before.retain()
    before.send(BLOG)
    const running = await until(before, (s) => s.messages[1]?.predictionId != null)
    // The page goes away mid-answer: its streams stop, the prediction runs on.
    releaseBefore()
    await until(before, () => before.streamOf(running.messages[1]!.id) === undefined)
    const left = before.getSnapshot().messages[1]!

    const fetches: string[] = []
    const finished: string[] = []
    const after = chatOn(slow, {
      onFinish: (message) => finished.push(message.id),
      storage: page.tab().chatStorage,
      tabId: 'tab-1',
      fetch: (input, init) => {
        fetches.push(`${init?.method ?? 'GET'} ${String(input)}`)
        return fetch(input, init)
      },
    })
    // Painted from storage before any request.
    expect(after.getSnapshot().messages.map((m) => [m.role, m.status, m.predictionId])).toEqual([
      ['user', 'sent', null],
      ['assistant', left.status, left.predictionId],
    ])
    expect(fetches).toEqual([])
    const release = after.retain()
    const { messages } = await until(after, settled)
    release()
    expect(messages[1]!.content).toBe(replayed(`<|begin_of_text|>${user(BLOG)}${answerHeader}`))
    expect(messages[1]!.status).toBe('succeeded')
    expect(fetches.filter((f) => f.startsWith('POST'))).toEqual([])
    expect(slow.predictions.length - from).toBe(1)
    // Completed exactly once.
    expect(finished).toEqual([messages[1]!.id])
  })

  it('fails, instead of creating again, an answer whose create was cut by the reload', async () => {
    const from = server.predictions.length
    const page = origin()
    const storage = page.tab().chatStorage
    storage.save('default', {
      version: 1,
      messages: [
        {
          id: 'q',
          role: 'user',
          content: HAIKU,
          status: 'sent',
          error: null,
          predictionId: null,
          metrics: null,
          tab: 'tab-1',
        },
        {
          id: 'a',
          role: 'assistant',
          content: '',
          status: 'starting',
          error: null,
          predictionId: null,
          metrics: null,
          tab: 'tab-1',
        },
      ],
    })
    // Another tab's answer being created is left alone: that tab will save its prediction id.
    const other = chatOn(server, { storage, tabId: 'tab-2' })
    other.retain()()
    expect(other.getSnapshot().messages[1]!.status).toBe('starting')
    const same = chatOn(server, { storage, tabId: 'tab-1' })
    same.retain()()
    const answer = same.getSnapshot().messages[1]!
    expect(answer.status).toBe('failed')
    expect(answer.error?.developerMessage).toMatch(/before the prediction was created/)
    expect(server.predictions.length).toBe(from)
  })

  it('shows one thread in two tabs, with one prediction per answer', async () => {
    const from = slow.predictions.length
    const page = origin()
    const a = chatOn(slow, { storage: page.tab().chatStorage, tabId: 'a' })
    const b = chatOn(slow, { storage: page.tab().chatStorage, tabId: 'b' })
    const releases = [a.retain(), b.retain()]
    a.send(BLOG)
    // Tab b sees the question, then follows the answer tab a created.
    const seen = await until(b, (s) => s.messages[1]?.predictionId != null)
    expect(seen.messages[0]!.content).toBe(BLOG)
    await until(b, (s) => s.messages[1] !== undefined && b.streamOf(s.messages[1].id) !== undefined)
    // A follow-up from tab b, queued behind tab a's answer, is created by tab b.
    b.send(HAIKU)
    await until(a, (s) => s.messages[2]?.status === 'queued')
    const inA = await until(a, (s) => settled(s) && s.messages.length === 4)
    const inB = await until(b, (s) => settled(s) && s.messages.length === 4)
    for (const release of releases) release()
    expect(inA.messages.map((m) => [m.role, m.status, m.content])).toEqual(
      inB.messages.map((m) => [m.role, m.status, m.content]),
    )
    expect(inA.messages.map((m) => m.status)).toEqual(['sent', 'succeeded', 'sent', 'succeeded'])
    expect(slow.predictions.length - from).toBe(2)
  })
})
