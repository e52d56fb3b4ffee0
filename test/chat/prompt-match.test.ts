/**
 * The local server answers what was asked: a prompt, or the last user turn of a templated one,
 * equal to a recorded prompt replays that recording (through the real HTTP API).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { llama2Chat, llama3Instruct } from '../../src/core/index'
import { startReplicateServer, type ReplicateServer } from '../../src/testing/index'
import { lastUserTurn, recordingFor } from '../../src/testing/models/prompt-match'
import { recordingsOfModel, selectRecording } from '../../src/testing/models/recordings'
import { createPrediction, streamEvents } from '../../testkit/local-server'

const LLAMA_3 = 'meta/meta-llama-3-8b-instruct'
const LLAMA_2 = 'meta/llama-2-70b-chat'
const HAIKU = 'Please write a haiku about llamas'
const POEM =
  "Can you write a poem about open source machine learning? Let's make it in the style of E. E. Cummings."

let server: ReplicateServer
beforeAll(async () => {
  server = await startReplicateServer({ cadence: 'instant' })
})
afterAll(() => server.close())

/** The text a prediction of `model` with `input` streams from the server. */
async function streamed(model: string, input: Record<string, unknown>): Promise<string> {
  const prediction = await createPrediction(server.apiUrl, model, input)
  const events = await streamEvents(prediction.urls.stream!)
  return events
    .filter((event) => event.event === 'output')
    .map((event) => event.data)
    .join('')
}

const history = [
  { role: 'user', content: 'Hello there' },
  { role: 'assistant', content: 'Hi! How can I help?' },
] as const

describe('prompt matching', () => {
  it('finds the last user turn of Llama 3 and Llama 2 prompts', () => {
    const turns = [...history, { role: 'user', content: ` ${POEM}\n` }] as const
    const system = { systemPrompt: 'Be brief.' }
    expect(lastUserTurn(llama3Instruct(turns, system).prompt as string)).toBe(POEM)
    expect(lastUserTurn(llama2Chat(turns, system).prompt as string)).toBe(POEM)
    expect(lastUserTurn(llama2Chat([turns[2]], system).prompt as string)).toBe(POEM)
    expect(lastUserTurn(`  ${HAIKU} `)).toBe(HAIKU)
  })

  it('replays the recording of the question asked in a templated conversation', async () => {
    const prompt = llama3Instruct([...history, { role: 'user', content: HAIKU }], {
      systemPrompt: undefined,
    }).prompt
    const recording = recordingFor(LLAMA_3, { prompt })
    expect(recording.input.prompt).toBe(HAIKU)
    const text = await streamed(LLAMA_3, { prompt, prompt_template: '{prompt}' })
    expect(text).toBe(recording.output.join(''))
  })

  it("replays another model's recording of the same question, under the model asked for", async () => {
    const prompt = llama3Instruct([{ role: 'user', content: POEM }], { systemPrompt: undefined })
      .prompt as string
    const poem = recordingsOfModel(LLAMA_2)[0]!
    expect(recordingFor(LLAMA_3, { prompt })).toBe(poem)
    const prediction = await createPrediction(server.apiUrl, LLAMA_3, { prompt })
    expect(prediction.model).toBe(LLAMA_3)
    expect(prediction.version).toBe(recordingsOfModel(LLAMA_3)[0]!.version)
    const events = await streamEvents(prediction.urls.stream!)
    expect(events.filter((e) => e.event === 'output').map((e) => e.data)).toEqual(poem.output)
  })

  it('keeps choosing by hash for a prompt nobody recorded, and for a plain recorded prompt', () => {
    for (const prompt of ['Tell me about llamas', HAIKU, 'x']) {
      expect(recordingFor(LLAMA_3, { prompt })).toBe(
        selectRecording(recordingsOfModel(LLAMA_3), { prompt }),
      )
    }
    expect(recordingFor(LLAMA_2, { prompt: POEM })).toBe(recordingsOfModel(LLAMA_2)[0])
  })
})
