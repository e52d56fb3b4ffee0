import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  PredictionStream,
  tabSharing,
  watchPredictionStream,
  type TabChannel,
  type TabCoordination,
} from '../../src/core/index'
import { recordingsOfModel, selectRecording } from '../../src/testing/models/recordings'
import { startReplicateServer, type ReplicateServer } from '../../src/testing/index'
import { memoryTabCoordination } from '../../testkit/tab-coordination'
import { trackedTimers } from '../../testkit/tracked-timers'
import { settled, until } from '../../testkit/until'

// Tabs of one origin share one connection per prediction (src/core/shared-stream.ts). Here the
// tabs are streams in one process with a shared coordination (testkit/tab-coordination.ts:
// Node's real BroadcastChannel, and a lock queue for the Web Locks Node 20 lacks); the
// Chromium test (chromium-lifecycle.test.ts) runs the same with real tabs.

const GOLIATH = 'nateraw/goliath-120b'
const PROMPT = 'Tell me a story'
const expected = selectRecording(recordingsOfModel(GOLIATH), { prompt: PROMPT }).output

let server: ReplicateServer
beforeAll(async () => {
  // ≈ 1 s for the 927 tokens: long enough to join and to close a tab mid-stream.
  server = await startReplicateServer({ cadence: { firstOutputDelayMs: 0, outputIntervalMs: 1 } })
})
afterAll(() => server.close())

const streamRequests = (since: number) =>
  server.requests.filter((r) => r.seq >= since && r.path.startsWith('/v1/streams/'))

/** A tab: a stream with the tabs' coordination, its timers counted and its outputs counted. */
function openTab(tabs: TabCoordination | 'page' | 'off', model?: string) {
  const timers = trackedTimers()
  const stream = new PredictionStream({
    endpoint: server.predictionsUrl,
    ...(model ? { model } : {}),
    timers,
    // 'page': the default (the page's locks and channels, none in Node).
    ...(tabs === 'off'
      ? { shareAcrossTabs: false as const }
      : tabs === 'page'
        ? {}
        : { shareAcrossTabs: tabSharing(tabs) }),
    // A holder that falls silent for 2 × this is replaced (see the last test).
    stallTimeoutMs: 2_000,
  })
  const tab = { stream, timers, applied: 0 }
  watchPredictionStream(stream, { onOutput: () => void (tab.applied += 1) })
  return tab
}

/** Tab A creates the prediction; tab B follows it once A has `joinAfter` items. */
async function twoTabs(tabs: TabCoordination | 'page' | 'off', joinAfter: number) {
  const a = openTab(tabs, GOLIATH)
  void a.stream.start({ prompt: PROMPT })
  const { prediction } = await until(a.stream, (s) => s.output.length >= joinAfter)
  const b = openTab(tabs)
  void b.stream.attach(prediction!.id)
  return { a, b }
}

describe('one stream per prediction across tabs', () => {
  it('opens one connection for two tabs, and both end with the exact text', async () => {
    const since = server.requests.length
    const tabs = memoryTabCoordination()
    const { a, b } = await twoTabs(tabs, 300)
    const [sa, sb] = await Promise.all([until(a.stream, settled), until(b.stream, settled)])
    for (const [snapshot, tab] of [
      [sa, a],
      [sb, b],
    ] as const) {
      expect(snapshot.error).toBeNull()
      expect(snapshot.status).toBe('succeeded')
      expect(snapshot.text).toBe(expected.join(''))
      expect(snapshot.output).toEqual(expected)
      expect(tab.timers.pending).toBe(0)
    }
    // B joined late: what it missed came from A in one answer, the rest one relay per chunk.
    expect(a.applied).toBe(expected.length)
    expect(b.applied).toBe(expected.length)
    expect(streamRequests(since)).toHaveLength(1)
    expect(tabs.holders).toBe(0)
    expect(tabs.queued).toBe(0)
  })

  it('hands the connection over when the tab holding it closes, from the last event ID', async () => {
    const since = server.requests.length
    const tabs = memoryTabCoordination()
    const { a, b } = await twoTabs(tabs, 100)
    const relayed = await until(b.stream, (s) => s.output.length >= 400)
    // Closing the tab: its run stops, its lock is released and B is elected.
    a.stream.disconnect()
    const done = await until(b.stream, settled)
    expect(done.error).toBeNull()
    expect(done.status).toBe('succeeded')
    expect(done.text).toBe(expected.join(''))
    expect(b.applied).toBe(expected.length)
    const [first, second, ...more] = streamRequests(since)
    expect(more).toEqual([])
    expect(first!.headers['last-event-id']).toBeUndefined()
    // B resumed where its relays ended, not from the start: at least the 400th event's id.
    expect(second!.headers['last-event-id']).toBeDefined()
    expect(second!.headers['last-event-id']! >= relayed.lastEventId!).toBe(true)
    expect(a.timers.pending).toBe(0)
    expect(b.timers.pending).toBe(0)
  })

  it('opens its own connection when the holder goes silent, and still ends exact', async () => {
    const since = server.requests.length
    const tabs = memoryTabCoordination()
    // The holder keeps its lock but nothing it posts arrives: a frozen or hung tab.
    const mute: TabCoordination = {
      locks: tabs.locks,
      channel: (name) => {
        const channel = tabs.channel(name)
        return {
          postMessage: () => {},
          close: () => channel.close(),
          set onmessage(listener: TabChannel['onmessage']) {
            channel.onmessage = listener
          },
          get onmessage() {
            return channel.onmessage
          },
        }
      },
    }
    const a = openTab(mute, GOLIATH)
    void a.stream.start({ prompt: PROMPT })
    const { prediction } = await until(a.stream, (s) => s.output.length > 0)
    const b = openTab(tabs)
    void b.stream.attach(prediction!.id)
    const [sa, sb] = await Promise.all([until(a.stream, settled), until(b.stream, settled)])
    expect(sa.text).toBe(expected.join(''))
    expect(sb.error).toBeNull()
    expect(sb.text).toBe(expected.join(''))
    expect(b.applied).toBe(expected.length)
    expect(streamRequests(since)).toHaveLength(2)
  })

  it('ignores what it does not understand on the channel', async () => {
    const tabs = memoryTabCoordination()
    const { a, b } = await twoTabs(tabs, 100)
    // Any script of the origin may post on the channel: none of this may reach a snapshot.
    const url = a.stream.getSnapshot().prediction!.urls.stream!
    const intruder = tabs.channel(`react-prediction-stream/1 ${url}`)
    for (const junk of [
      null,
      'events',
      { type: 'events', from: 0, events: [{ event: 'output', data: 7 }] },
      { type: 'events', from: '0', events: [] },
      { type: 'prediction', prediction: { id: 1 } },
      { type: 'sync' },
      { type: 'unknown' },
    ]) {
      intruder.postMessage(junk)
    }
    intruder.close()
    const [sa, sb] = await Promise.all([until(a.stream, settled), until(b.stream, settled)])
    expect(sa.text).toBe(expected.join(''))
    expect(sb.error).toBeNull()
    expect(sb.text).toBe(expected.join(''))
    expect(b.applied).toBe(expected.length)
  })

  it('keeps one connection per stream where tabs cannot coordinate', async () => {
    const since = server.requests.length
    // The page's coordination (`tabSharing()`) finds nothing to coordinate with in Node, which
    // has no document.
    const { a, b } = await twoTabs('page', 1)
    await Promise.all([until(a.stream, settled), until(b.stream, settled)])
    expect(b.stream.getSnapshot().text).toBe(expected.join(''))
    expect(streamRequests(since)).toHaveLength(2)
  })

  it('keeps one connection per stream with `shareAcrossTabs: false`', async () => {
    const since = server.requests.length
    const { a, b } = await twoTabs('off', 1)
    await Promise.all([until(a.stream, settled), until(b.stream, settled)])
    expect(b.stream.getSnapshot().text).toBe(expected.join(''))
    expect(streamRequests(since)).toHaveLength(2)
  })
})
