/**
 * The hook in Chromium through a route handler with `authorize` set, end to end: start, stream,
 * cancel, and ownership as the browser sees it. The route (`/api/owned-predictions`, see
 * testkit/owned-route-plugin.ts) is mounted in Vitest's own Vite server in front of the local server.
 */
import { useEffect } from 'react'
import { describe, expect, it } from 'vitest'
import { page, userEvent } from 'vitest/browser'
import { render } from 'vitest-browser-react'
import { ApiError, usePredictionStream, type UsePredictionStreamResult } from '../../src/index'
import { recordingsOfModel, selectRecording } from '../../src/testing/models/recordings'
import { OWNED_ENDPOINT } from '../../testkit/owned-endpoint'

const LLAMA_3 = 'meta/meta-llama-3-8b-instruct'
/** 927 recorded tokens: time enough to cancel midway. */
const GOLIATH = 'nateraw/goliath-120b'
const TIMEOUT_MS = 20_000

function Harness({
  model,
  user,
  onResult,
}: {
  model: string
  user: string | null
  onResult: (result: UsePredictionStreamResult) => void
}) {
  const result = usePredictionStream({
    endpoint: OWNED_ENDPOINT,
    model,
    headers: (): Record<string, string> => (user ? { 'X-Test-User': user } : {}),
  })
  useEffect(() => onResult(result))
  return (
    <div>
      <button type="button" onClick={() => void result.start({ prompt: 'Tell me about llamas' })}>
        Start
      </button>
      <button type="button" onClick={() => void result.cancel()}>
        Cancel
      </button>
      <p data-testid="status">{result.status}</p>
    </div>
  )
}

async function renderHarness(model: string, user: string | null) {
  let latest: UsePredictionStreamResult | undefined
  await render(
    <Harness
      model={model}
      user={user}
      onResult={(result) => {
        latest = result
      }}
    />,
  )
  return () => {
    if (!latest) throw new Error('not rendered')
    return latest
  }
}

async function waitForStatus(status: string) {
  await expect
    .element(page.getByTestId('status'), { timeout: TIMEOUT_MS })
    .toHaveTextContent(new RegExp(`^${status}$`))
}

/** `GET {endpoint}/{id}` from the page as `user`. */
async function getAs(user: string, id: string): Promise<Response> {
  return fetch(`${OWNED_ENDPOINT}/${encodeURIComponent(id)}`, { headers: { 'X-Test-User': user } })
}

describe('usePredictionStream through a route handler with authorize', () => {
  it('streams a prediction to the end under a reference only its caller can read', async () => {
    const current = await renderHarness(LLAMA_3, 'alice')
    await userEvent.click(page.getByRole('button', { name: 'Start' }))
    await waitForStatus('succeeded')

    const result = current()
    const expected = selectRecording(recordingsOfModel(LLAMA_3), {
      prompt: 'Tell me about llamas',
    }).output.join('')
    expect(result.text).toBe(expected)
    const reference = result.prediction!.id
    expect(reference).toMatch(/^[\w-]{60,}$/)
    expect(result.prediction!.urls.get).toBe(`${location.origin}${OWNED_ENDPOINT}/${reference}`)

    const mine = await getAs('alice', reference)
    expect(mine.status).toBe(200)
    expect(await mine.json()).toMatchObject({ id: reference, status: 'succeeded' })
    const theirs = await getAs('bob', reference)
    expect(theirs.status).toBe(404)
    const cancelByBob = await fetch(`${OWNED_ENDPOINT}/${reference}/cancel`, {
      method: 'POST',
      headers: { 'X-Test-User': 'bob' },
    })
    expect(cancelByBob.status).toBe(404)
  })

  it('cancels through the route: canceled on the server, partial text kept', async () => {
    const current = await renderHarness(GOLIATH, 'alice')
    await userEvent.click(page.getByRole('button', { name: 'Start' }))
    await expect.poll(() => current().text, { timeout: TIMEOUT_MS }).not.toBe('')
    await userEvent.click(page.getByRole('button', { name: 'Cancel' }))
    await waitForStatus('canceled')

    const result = current()
    expect(result.prediction?.status).toBe('canceled')
    expect(result.error).toBeNull()
    const full = selectRecording(recordingsOfModel(GOLIATH), {
      prompt: 'Tell me about llamas',
    }).output.join('')
    expect(result.text.length).toBeGreaterThan(0)
    expect(result.text.length).toBeLessThan(full.length)
    const server = await getAs('alice', result.prediction!.id)
    expect(await server.json()).toMatchObject({ status: 'canceled' })
  })

  it("surfaces authorize's 401 as an ApiError, and creates nothing", async () => {
    const current = await renderHarness(LLAMA_3, null)
    await userEvent.click(page.getByRole('button', { name: 'Start' }))
    await expect.poll(() => current().error, { timeout: TIMEOUT_MS }).toBeInstanceOf(ApiError)
    const error = current().error as ApiError
    expect(error.status).toBe(401)
    expect(error.detail).toBe('Sign in first.')
    expect(current().prediction).toBeNull()
  })
})
