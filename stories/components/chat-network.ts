import { cuttingFetch } from '../../testkit/cutting-fetch'

/** One create request the chat sent: its input, and the prediction id it got back. */
export interface RecordedCreate {
  input: Record<string, unknown>
  predictionId: string | null
}

/** Bytes of the stream an injected drop lets through: the first few tokens. */
const BYTES_BEFORE_DROP = 600

/**
 * The real `fetch`, watched: it records each create's input (the prompt the template built),
 * and on demand drops the network under one answer, mid-stream, for good: its stream is cut
 * after a few tokens and every later request for that prediction fails as a dead network would.
 * Other requests (a regenerated answer's) go through. The server is never faked.
 */
export function chatNetwork() {
  const creates: RecordedCreate[] = []
  const streamOwners = new Map<string, string>()
  const dead = new Set<string>()
  const cuts: number[] = []
  let dropNext = false

  const recording = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const response = await globalThis.fetch(input, init)
    if (init?.method === 'POST' && !urlOf(input).endsWith('/cancel')) {
      const entry: RecordedCreate = {
        input: (JSON.parse(String(init.body)) as { input: Record<string, unknown> }).input,
        predictionId: null,
      }
      creates.push(entry)
      if (response.ok) {
        // Read before the chat does, so the id is known when the chat shows it.
        const prediction = (await response.clone().json()) as {
          id: string
          urls: { stream?: string }
        }
        entry.predictionId = prediction.id
        if (prediction.urls.stream) streamOwners.set(prediction.urls.stream, prediction.id)
      }
    }
    return response
  }
  const cutter = cuttingFetch(cuts, { base: recording as typeof fetch })

  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = urlOf(input)
    if ([...dead].some((part) => url.includes(part))) {
      throw new TypeError('Failed to fetch (a network drop injected by the story)')
    }
    const owner = streamOwners.get(url)
    if (dropNext && owner) {
      dropNext = false
      cuts.push(BYTES_BEFORE_DROP)
      dead.add(url)
      dead.add(`/${encodeURIComponent(owner)}`)
    }
    return cutter.fetch(input, init)
  }

  return {
    fetch: fetch as typeof globalThis.fetch,
    /** Every create so far, oldest first. */
    creates,
    /** The prompt each create sent, oldest first. */
    prompts: () => creates.map((create) => create.input.prompt),
    /** Drops the network under the next answer that starts streaming. */
    dropNextAnswer: () => {
      dropNext = true
    },
    /** Forgets what was recorded (a story starting over). */
    reset: () => {
      creates.length = 0
      dropNext = false
    },
  }
}

function urlOf(input: RequestInfo | URL): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
}
