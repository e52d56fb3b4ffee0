import { describe, expect, it } from 'vitest'
import { SERVED_MODELS } from '../../src/testing'
import {
  fnv1a32,
  recordingsOfModel,
  selectRecording,
  TEXT_RECORDINGS,
} from '../../src/testing/models/recordings'
import { findModel, findVersion, runModel } from '../../src/testing/models/served-models'

describe('recordings', () => {
  it('serves every text recording under its model name', () => {
    const textModels = SERVED_MODELS.filter((m) => m.kind === 'text' && !m.localOnly)
    expect(textModels.map((m) => m.name)).toEqual([
      'nateraw/goliath-120b',
      'meta/llama-2-70b-chat',
      'meta/meta-llama-3-8b-instruct',
    ])
    expect(TEXT_RECORDINGS).toHaveLength(6)
    expect(recordingsOfModel('meta/meta-llama-3-8b-instruct')).toHaveLength(4)
    expect(recordingsOfModel('nobody/nothing')).toEqual([])
  })

  it('keeps items verbatim', () => {
    const [llama3] = recordingsOfModel('meta/meta-llama-3-8b-instruct')
    expect(llama3!.output[0]).toBe('\n\n')
    expect(llama3!.output.at(-1)).toBe('')
  })

  it('resolves the three version forms of POST /v1/predictions', () => {
    const [llama2, ...others] = recordingsOfModel('meta/llama-2-70b-chat')
    expect(others).toEqual([])
    const resolved = { model: findModel('meta/llama-2-70b-chat'), version: llama2!.version }
    expect(findVersion(llama2!.version)).toEqual(resolved)
    expect(findVersion(`meta/llama-2-70b-chat:${llama2!.version}`)).toEqual(resolved)
    expect(findVersion('meta/llama-2-70b-chat')).toEqual(resolved)
    expect(runModel(resolved.model!, resolved.version, { prompt: 'any' }).outputs).toEqual(
      llama2!.output,
    )
    expect(findVersion(`meta/llama-2-70b-chat:${'0'.repeat(64)}`)).toBeUndefined()
    expect(findVersion('0'.repeat(64))).toBeUndefined()
  })

  it('hashes with FNV-1a 32', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5)
    expect(fnv1a32('a')).toBe(0xe40c292c)
    expect(fnv1a32('foobar')).toBe(0xbf9cf968)
  })

  it('selects deterministically by prompt', () => {
    const recordings = recordingsOfModel('meta/meta-llama-3-8b-instruct')
    const picks = new Set(
      Array.from({ length: 40 }, (_, i) => selectRecording(recordings, { prompt: `p${i}` }).id),
    )
    expect(picks.size).toBe(4)
    expect(selectRecording(recordings, { prompt: 'x' })).toBe(
      selectRecording(recordings, { prompt: 'x' }),
    )
    expect(selectRecording(recordings, {})).toBe(recordings[fnv1a32('') % 4])
  })
})
