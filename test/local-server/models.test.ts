/**
 * The served models: every recorded input validates against its model's schema, versions resolve
 * in the three forms, and `local/echo` yields what it is given.
 */
import { describe, expect, it } from 'vitest'
import { SERVED_MODELS } from '../../src/testing'
import { validateInput } from '../../src/testing/models/input-validation'
import { FILE_RECORDINGS, RECORDINGS, TEXT_RECORDINGS } from '../../src/testing/models/recordings'
import {
  ECHO_MODEL,
  findModel,
  findVersion,
  runModel,
  splitIntoTokens,
} from '../../src/testing/models/served-models'

/** `owner/name` of each recorded model, in file order, without duplicates. */
const namesOf = (recordings: readonly { model: string }[]) => [
  ...new Set(recordings.map((r) => r.model)),
]

describe('served models', () => {
  it('serves every recording (3 text models, 5 image iterators) and local/echo', () => {
    expect(SERVED_MODELS.map((m) => [m.name, m.kind, m.localOnly])).toEqual([
      ...namesOf(FILE_RECORDINGS).map((name) => [name, 'files', false]),
      ...namesOf(TEXT_RECORDINGS).map((name) => [name, 'text', false]),
      [ECHO_MODEL, 'text', true],
    ])
    expect(FILE_RECORDINGS).toHaveLength(5)
  })

  it.each(RECORDINGS.map((r) => [r.model, r.id, r] as const))(
    '%s: the recorded input of %s validates',
    (model, _id, recording) => {
      expect(validateInput(findModel(model)!.inputSchema, recording.input)).toEqual([])
    },
  )

  it('resolves versions in the three forms', () => {
    const [recording] = FILE_RECORDINGS
    const model = findModel(recording!.model)
    expect(findVersion(recording!.version)).toEqual({ model, version: recording!.version })
    expect(findVersion(`${recording!.model}:${recording!.version}`)).toEqual({
      model,
      version: recording!.version,
    })
    expect(findVersion(recording!.model)).toEqual({ model, version: recording!.version })
    expect(findVersion(`${recording!.model}:${'0'.repeat(64)}`)).toBeUndefined()
  })

  it('local/echo splits before whitespace so items concatenate back, or yields `outputs`', () => {
    expect(splitIntoTokens('café 😀  naïve\n')).toEqual(['café', ' 😀', '  naïve', '\n'])
    const echo = findModel(ECHO_MODEL)!
    expect(runModel(echo, undefined, { prompt: 'a b' }).outputs).toEqual(['a', ' b'])
    expect(runModel(echo, undefined, { prompt: 'x', outputs: ['', '\r'] }).outputs).toEqual([
      '',
      '\r',
    ])
  })
})
