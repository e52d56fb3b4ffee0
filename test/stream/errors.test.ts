import { createServer } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  ApiError,
  ConnectionError,
  InvalidOptionsError,
  PredictionFailedError,
  PredictionStream,
  PredictionStreamError,
  ProtocolError,
} from '../../src/core/index'
import { startReplicateServer, type ReplicateServer } from '../../src/testing/index'
import { settled, until } from '../../testkit/until'

// Every error has two audiences: `message` is shown to people, so it never holds a URL, a
// status code or the server's raw words; those stay in `developerMessage` and the typed fields.

let server: ReplicateServer

beforeAll(async () => {
  server = await startReplicateServer({ cadence: 'instant' })
})
afterEach(() => server.faults.clear())
afterAll(() => server.close())

/** A loopback port with nothing listening on it: connecting is refused at once. */
async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

/** The error a run against the local server ended with. */
async function failureOf(
  options: ConstructorParameters<typeof PredictionStream>[0],
  input: Record<string, unknown>,
): Promise<PredictionStreamError> {
  const stream = new PredictionStream(options)
  void stream.start(input)
  const snapshot = await until(stream, settled)
  expect(snapshot.status).toBe('failed')
  expect(snapshot.error).toBeInstanceOf(PredictionStreamError)
  return snapshot.error!
}

describe('errors people can be shown, from the local server', () => {
  it('a 422 names the rejected input; the problem stays in the developer fields', async () => {
    const error = await failureOf(
      { endpoint: server.predictionsUrl, model: 'meta/llama-2-70b-chat' },
      { temperature: 0.5 },
    )
    expect(error).toBeInstanceOf(ApiError)
    const api = error as ApiError
    expect(api.message).toBe('This prompt was rejected: prompt is required.')
    expect(api.status).toBe(422)
    expect(api.url).toBe(server.predictionsUrl)
    expect(api.title).toBe('Input validation failed')
    expect(api.invalidFields).toEqual([
      { type: 'required', field: 'input', description: 'prompt is required' },
    ])
    expect(api.detail).toContain('prompt is required')
    expect(api.developerMessage).toBe(
      `Request to ${server.predictionsUrl} failed with status 422: ${api.detail}`,
    )
  })

  it('a 404 for an unknown model says so without the URL', async () => {
    const error = await failureOf(
      { endpoint: server.predictionsUrl, model: 'nobody/no-such-model' },
      { prompt: 'x' },
    )
    expect(error).toBeInstanceOf(ApiError)
    expect(error.message).toBe('This model or prediction was not found.')
    expect((error as ApiError).status).toBe(404)
    expect(error.developerMessage).toMatch(
      new RegExp(`^Request to ${server.predictionsUrl} failed with status 404: .+`),
    )
  })

  it('a failed prediction keeps the server detail apart from the message', async () => {
    server.faults.set({ fail: { afterOutputs: 2, detail: 'CUDA out of memory' } })
    const error = await failureOf(
      { endpoint: server.predictionsUrl, model: 'meta/llama-2-70b-chat' },
      { prompt: 'poem' },
    )
    expect(error).toBeInstanceOf(PredictionFailedError)
    expect(error.message).toBe('The model stopped with an error. Try again.')
    expect((error as PredictionFailedError).detail).toBe('CUDA out of memory')
    expect(error.developerMessage).toBe('Prediction failed: CUDA out of memory')
  })

  it('an endpoint that cannot be reached asks to try again, and keeps the cause', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}/api/predictions`
    const error = await failureOf(
      { endpoint, model: 'meta/llama-2-70b-chat', retry: { maxAttempts: 1 } },
      { prompt: 'poem' },
    )
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error.message).toBe('The model could not be reached. Try again.')
    expect(error.developerMessage).toBe(`Could not reach ${endpoint}`)
    expect((error as ConnectionError).retryable).toBe(true)
    expect(error.cause).toBeInstanceOf(Error)
  })

  it('a create answered 500 is the same sentence, with its status', async () => {
    server.faults.set({ create: { status: 500 } })
    const error = await failureOf(
      { endpoint: server.predictionsUrl, model: 'meta/llama-2-70b-chat' },
      { prompt: 'poem' },
    )
    expect(error).toBeInstanceOf(ApiError)
    expect(error.message).toBe('The model could not be reached. Try again.')
    expect((error as ApiError).status).toBe(500)
  })
})

describe('the message of each ApiError status', () => {
  const url = 'https://example.test/api/predictions'
  it.each([
    [400, 'This request was refused.'],
    [401, 'Sign in to continue.'],
    [402, 'The model is not available right now. Try again later.'],
    [403, 'You are not allowed to do this.'],
    [404, 'This model or prediction was not found.'],
    [408, 'The model could not be reached. Try again.'],
    [413, 'This prompt is too long.'],
    [422, 'This prompt was rejected.'],
    [429, 'Too many requests. Wait a moment and try again.'],
    [500, 'The model could not be reached. Try again.'],
    [502, 'The model could not be reached. Try again.'],
    [503, 'The model could not be reached. Try again.'],
  ])('%i: %s', (status, message) => {
    const error = new ApiError({ status, url, body: { detail: 'internal words' } })
    expect(error.message).toBe(message)
    expect(error.message).not.toContain('internal words')
    expect(error.detail).toBe('internal words')
    expect(error.developerMessage).toBe(
      `Request to ${url} failed with status ${status}: internal words`,
    )
  })

  it('names every invalid field, with the field when its description does not', () => {
    const error = new ApiError({
      status: 422,
      url,
      body: {
        detail: '- input: prompt is required\n- input.top_p: Must be less than or equal to 1\n',
        invalid_fields: [
          { type: 'required', field: 'input', description: 'prompt is required' },
          {
            type: 'number_lte',
            field: 'input.top_p',
            description: 'Must be less than or equal to 1',
          },
          {
            type: 'invalid_type',
            field: 'input.seed',
            description: 'Invalid type. Expected: integer, given: string',
          },
        ],
      },
    })
    expect(error.message).toBe(
      'This prompt was rejected: prompt is required; top_p must be less than or equal to 1; seed: Invalid type. Expected: integer, given: string.',
    )
    expect(error.invalidFields).toHaveLength(3)
  })

  it('keeps a body that is not JSON as the detail', () => {
    const error = new ApiError({ status: 502, url, body: '<html>Bad gateway</html>' })
    expect(error.message).toBe('The model could not be reached. Try again.')
    expect(error.detail).toBe('<html>Bad gateway</html>')
    expect(error.title).toBeUndefined()
  })
})

describe('the other errors', () => {
  it('ProtocolError shows a sentence and keeps what was wrong', () => {
    const cause = new SyntaxError('Unexpected token <')
    const error = new ProtocolError('Expected a prediction object from /x, got: <html>', { cause })
    expect(error.message).toBe('The answer from the server could not be read. Try again.')
    expect(error.developerMessage).toBe('Expected a prediction object from /x, got: <html>')
    expect(error.cause).toBe(cause)
    expect(error.code).toBe('protocol_error')
  })

  it('ConnectionError keeps status, retryable and Retry-After', () => {
    const error = new ConnectionError('Stream https://s.test/x answered HTTP 429', {
      retryable: true,
      status: 429,
      retryAfterMs: 2000,
    })
    expect(error.message).toBe('The model could not be reached. Try again.')
    expect(error.developerMessage).toBe('Stream https://s.test/x answered HTTP 429')
    expect([error.status, error.retryable, error.retryAfterMs]).toEqual([429, true, 2000])
  })

  it('InvalidOptionsError is for the developer fixing the call, in both fields', () => {
    const error = new InvalidOptionsError('`fetch` must be a function')
    expect(error.message).toBe('`fetch` must be a function')
    expect(error.developerMessage).toBe(error.message)
    expect(error.code).toBe('invalid_options')
  })
})
