import { describe, expect, it } from 'vitest'
import { fileOutputOf } from '../../src/core/file-output'
import {
  FILES_STREAM_URL,
  created,
  json,
  prediction,
  predictionHarness,
  sse,
  sseEvent,
} from '../../testkit/conformance-prediction'

// Models whose output is a list of files (image iterators) are not text: their items are kept
// in `output` and never glued together in `text`.

const frames = [
  'https://replicate.delivery/pbxt/frame-1.png',
  'https://replicate.delivery/pbxt/frame-2.png',
  'data:image/png;base64,iVBORw0KGgo=',
]
const stream = (items: string[]) =>
  sse(
    ...items.map((item, index) => sseEvent('output', `1:${index}`, item)),
    sseEvent('done', '1:9', '{}'),
  )

describe('output kind', () => {
  const filesStream = () => created({ urls: { ...prediction().urls, stream: FILES_STREAM_URL } })

  it('keeps file outputs as items, with empty text, on a /v1/files/ stream', async () => {
    const run = predictionHarness([filesStream(), stream(frames)])
    await run.start()
    expect(run.snapshot()).toMatchObject({ status: 'succeeded', text: '', outputKind: 'items' })
    expect(run.snapshot().output).toEqual(frames)
    expect(run.snapshot().output.map(fileOutputOf)).toEqual([
      { type: 'url', url: frames[0] },
      { type: 'url', url: frames[1] },
      { type: 'data', url: frames[2], mediaType: 'image/png' },
    ])
  })

  it('concatenates text tokens on a /v1/streams/ stream, even a first one that is a URL', async () => {
    const tokens = ['https://example.com/x', ' is', ' a link']
    const run = predictionHarness([created(), stream(tokens)])
    await run.start()
    expect(run.snapshot()).toMatchObject({ text: tokens.join(''), outputKind: 'text' })
  })

  it('tells files by their first item when the prediction has no stream URL', async () => {
    const noStream = { ...prediction().urls, stream: undefined }
    const run = predictionHarness(
      [
        created({ urls: noStream }),
        json(prediction({ status: 'succeeded', output: frames, urls: noStream })),
      ],
      { pollIntervalMs: 1 },
    )
    await run.start()
    expect(run.snapshot()).toMatchObject({ status: 'succeeded', text: '', outputKind: 'items' })
    expect(run.snapshot().output).toEqual(frames)
  })

  it.each([
    ['text', frames.join('')],
    ['items', ''],
  ] as const)('obeys outputKind: %s', async (outputKind, text) => {
    const run = predictionHarness([filesStream(), stream(frames)], { outputKind })
    await run.start()
    expect(run.snapshot()).toMatchObject({ text, outputKind })
  })

  it('tells files from text', () => {
    expect(fileOutputOf('data:,hello')).toEqual({
      type: 'data',
      url: 'data:,hello',
      mediaType: 'text/plain',
    })
    expect(fileOutputOf('http://127.0.0.1:3/file')).toEqual({
      type: 'url',
      url: 'http://127.0.0.1:3/file',
    })
    for (const text of [' https://a.b/c', 'https://', 'http://x y', 'ftp://a/b', 'Hello', '']) {
      expect(fileOutputOf(text)).toBeUndefined()
    }
  })
})
