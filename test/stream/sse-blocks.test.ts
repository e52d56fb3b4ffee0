/**
 * The block scanner (src/core/sse-blocks.ts) against a plain reading of WHATWG HTML §9.2.6 on
 * the whole text: the same id-only blocks, at the same places among the blocks with data, for
 * seeded random streams cut into chunks anywhere, LF-only ones (the scanner's whole-block path)
 * and ones with CR and CRLF (its line path).
 */
import { expect, it } from 'vitest'
import { BlockScanner, type IdOnlyBlock } from '../../src/core/sse-blocks'
import { randomEventStream } from '../../testkit/random-event-stream'

const MAX_ID_LENGTH = 16

/** The reference: every complete line of `text`, in order, the spec's way. */
function expected(text: string): { idOnly: IdOnlyBlock[]; dataBlocks: number } {
  const idOnly: IdOnlyBlock[] = []
  let dataBlocks = 0
  let data = false
  let id: string | undefined
  const lines = text.split(/\r\n|\r|\n/)
  lines.pop() // the last piece has no line ending: never a complete line
  for (const line of lines) {
    if (line === '') {
      if (data) dataBlocks += 1
      else if (id !== undefined) idOnly.push({ dataBlocksBefore: dataBlocks, id })
      data = false
      id = undefined
      continue
    }
    const colon = line.indexOf(':')
    const name = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (name === 'data') data = true
    if (name === 'id' && !value.includes('\0') && value.length <= MAX_ID_LENGTH) id = value
  }
  return { idOnly, dataBlocks }
}

function scanned(chunks: readonly string[]): { idOnly: IdOnlyBlock[]; dataBlocks: number } {
  const scanner = new BlockScanner(MAX_ID_LENGTH)
  const idOnly: IdOnlyBlock[] = []
  for (const chunk of chunks) idOnly.push(...scanner.feed(chunk))
  return { idOnly, dataBlocks: scanner.dataBlocks }
}

/** The stream's text, cut at its own cuts (decoded as a stream, so characters stay whole). */
function chunksOf(seed: number): { text: string; chunks: string[] } {
  const { bytes, cuts } = randomEventStream(seed)
  const decoder = new TextDecoder()
  const chunks: string[] = []
  let from = 0
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(decoder.decode(bytes.subarray(from, cut), { stream: true }))
    from = cut
  }
  chunks.push(decoder.decode())
  return { text: chunks.join(''), chunks }
}

it('finds the id-only blocks of 2,000 random streams, cut anywhere, as the spec reads them', () => {
  let lfOnly = 0
  let withIdOnly = 0
  for (let seed = 1; seed <= 2_000; seed += 1) {
    const { text, chunks } = chunksOf(seed)
    // Also one character per chunk: every cut the stream can have.
    const byCharacter = seed % 20 === 0 ? [...text] : chunks
    const want = expected(text)
    expect(scanned(byCharacter), `seed ${seed}`).toEqual(want)
    if (!text.includes('\r')) lfOnly += 1
    if (want.idOnly.length > 0) withIdOnly += 1
  }
  // Both paths of the scanner ran, on streams that had something to find.
  expect(lfOnly).toBeGreaterThan(200)
  expect(withIdOnly).toBeGreaterThan(200)
})

it('passes whole LF-only blocks with data, and reads the lines of one without', () => {
  const text = [
    'event: output\nid: 1\ndata: a\n\n',
    'data\nid: 2\n\n', // `data` alone is a data field
    'datax: no\nid: 3\n\n', // `datax` is another field: an id-only block
    ': comment\nid: 4\n\n', // id-only
    'id: 5\ndata:\n\n',
    '\n\n', // blank lines alone end nothing
    'id: 6\n', // unfinished: nothing yet
  ].join('')
  const scanner = new BlockScanner(MAX_ID_LENGTH)
  expect(scanner.feed(text)).toEqual([
    { dataBlocksBefore: 2, id: '3' },
    { dataBlocksBefore: 2, id: '4' },
  ])
  expect(scanner.dataBlocks).toBe(3)
  expect(scanner.feed('\n')).toEqual([{ dataBlocksBefore: 3, id: '6' }])
  // Nothing found: the shared empty result, no array per chunk.
  expect(scanner.feed('data: x\n\n')).toBe(scanner.feed('data: y\n\n'))
})

it('searches a chunk of blocks without data in linear time (a counted bound)', () => {
  // Thousands of id-only blocks and no data line anywhere after them: a scanner that looked
  // for the next data field from each block would read the rest of the chunk each time.
  const blocks = 5_000
  const text = `${'id: 1\n\n'.repeat(blocks)}`
  let searched = 0
  const indexOf = String.prototype.indexOf
  String.prototype.indexOf = function (this: string, search: string, position?: number) {
    const found = indexOf.call(this, search, position)
    searched += (found === -1 ? this.length : found) - (position ?? 0)
    return found
  }
  try {
    expect(new BlockScanner(MAX_ID_LENGTH).feed(text)).toHaveLength(blocks)
  } finally {
    String.prototype.indexOf = indexOf
  }
  expect(searched).toBeLessThan(text.length * 8)
})
