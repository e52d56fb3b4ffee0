/**
 * Seeded random server-sent event streams, for differential tests of our parsing against another
 * implementation (test/stream/eventsource-differential.browser.test.ts). Each seed always gives
 * the same bytes and the same chunk cuts, so a disagreement can be replayed from its seed.
 *
 * The streams mix what WHATWG HTML §9.2.6 distinguishes: `data`, `id`, `event` and `retry` fields
 * with and without a space after the colon (and with two, which keeps one), fields without a
 * colon, empty values, NUL in ids (ignored) and data, comments, unknown and misspelt fields, CR,
 * LF and CRLF line endings (one per stream, or mixed), extra blank lines, a BOM at the start,
 * multi-byte UTF-8, and a final block without its blank line (never dispatched). Valid `retry:`
 * values are at most {@link MAX_RETRY_MS}, and most streams start with one, so a client that
 * reconnects does so quickly.
 */

/** Largest valid `retry:` a stream carries, in milliseconds. */
export const MAX_RETRY_MS = 50

export interface RandomEventStream {
  seed: number
  /** The stream, UTF-8 encoded. */
  bytes: Uint8Array
  /** Byte offsets at which to cut it into chunks, ascending (may split a character or a CRLF). */
  cuts: number[]
}

/** xorshift32: a deterministic, dependency-free source of numbers in [0, 1). */
function seeded(seed: number): () => number {
  // Spread neighbouring seeds apart: xorshift's first outputs from small states are small.
  let state = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b9) >>> 0 || 1
  const next = () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state / 2 ** 32
  }
  for (let warmUp = 0; warmUp < 8; warmUp += 1) next()
  return next
}

type Random = () => number

const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T
const chance = (random: Random, p: number): boolean => random() < p
const between = (random: Random, min: number, max: number): number =>
  min + Math.floor(random() * (max - min + 1))

/** Pieces of values: ASCII, colons, tabs, multi-byte UTF-8 (2, 3 and 4 bytes), NUL and U+FEFF. */
const VALUE_PIECES = [
  'a',
  'b',
  'Z',
  '0',
  '7',
  ' ',
  ':',
  '\t',
  'é',
  '€',
  '😀',
  '日本',
  '\0',
  '\uFEFF',
]
const EVENT_TYPES = ['output', 'done', 'error', 'logs', 'message', 'é…', '']
const IDS = ['1', '2', '1:0', '1690000000000-0', 'abc', 'é…', 'a b', '', 'a\0b', '\0']
const INVALID_RETRIES = ['1.5', '-5', '10x', '', ' 20', '٣', '1e2']
/** Lines that are not the four fields: comments, unknown and misspelt field names. */
const OTHER_LINES = [
  ':',
  ': ping',
  ':data: no',
  'foo: bar',
  'Data: x',
  ' data: x',
  'dat: x',
  'datax: y',
  'idx: 9',
  'ID: 9',
  'id : 9',
  'events: x',
  'retryx: 5',
  'justsometext',
]
const ENDINGS = ['\n', '\r\n', '\r'] as const

function value(random: Random): string {
  let text = ''
  for (let count = between(random, 0, 4); count > 0; count -= 1) text += pick(random, VALUE_PIECES)
  return text
}

/** `name`, a colon and the value: `name:value`, `name: value`, `name:  value`, or bare `name`. */
function field(random: Random, name: string, fieldValue: string): string {
  if (fieldValue === '' && chance(random, 0.2)) return name
  return name + pick(random, [':', ':', ': ', ': ', ': ', ':  ']) + fieldValue
}

function line(random: Random): string {
  const kind = random()
  if (kind < 0.4) return field(random, 'data', value(random))
  if (kind < 0.58) return field(random, 'id', pick(random, IDS))
  if (kind < 0.7) return field(random, 'event', pick(random, EVENT_TYPES))
  if (kind < 0.8) {
    const retry = chance(random, 0.6)
      ? String(between(random, 0, MAX_RETRY_MS))
      : pick(random, INVALID_RETRIES)
    return field(random, 'retry', retry)
  }
  if (kind < 0.9) return ':' + value(random)
  return pick(random, OTHER_LINES)
}

/** The text of one stream (without its optional BOM). */
function streamText(random: Random): string {
  const fixedEnding = chance(random, 0.75) ? pick(random, ENDINGS) : undefined
  const end = () => fixedEnding ?? pick(random, ENDINGS)
  const lines: string[] = []
  if (chance(random, 0.9)) lines.push(`retry: ${between(random, 0, MAX_RETRY_MS)}`)
  const blocks = between(random, 0, 6)
  let text = ''
  for (let block = 0; block < blocks; block += 1) {
    for (let count = between(random, 1, 4); count > 0; count -= 1) lines.push(line(random))
    for (const fieldLine of lines) text += fieldLine + end()
    lines.length = 0
    // The blank line that dispatches, sometimes followed by more.
    for (let blank = chance(random, 0.15) ? 2 : 1; blank > 0; blank -= 1) text += end()
  }
  for (const fieldLine of lines) text += fieldLine + end()
  if (chance(random, 0.25)) {
    // A final block without its blank line: its lines end, but it is never dispatched.
    for (let count = between(random, 1, 3); count > 0; count -= 1) text += line(random) + end()
    // Sometimes its last line does not end either.
    if (chance(random, 0.5)) text += line(random)
  }
  return text
}

/**
 * The byte offsets just after each blank line (CR, LF or CRLF) that ends an event block, before
 * the end of `bytes`: where a server that flushes once per event cuts its stream.
 */
export function blockEnds(bytes: Uint8Array): number[] {
  const ends: number[] = []
  let lineStart = 0
  for (let offset = 0; offset < bytes.length; offset += 1) {
    const byte = bytes[offset]
    if (byte !== 10 && byte !== 13) continue
    const blank = offset === lineStart
    if (byte === 13 && bytes[offset + 1] === 10) offset += 1
    lineStart = offset + 1
    if (blank && lineStart < bytes.length) ends.push(lineStart)
  }
  return ends
}

function cutsFor(random: Random, bytes: Uint8Array): number[] {
  const length = bytes.length
  if (length < 2) return []
  const style = random()
  if (style < 0.1) return Array.from({ length: length - 1 }, (_, index) => index + 1)
  if (style < 0.35) return blockEnds(bytes)
  // Servers flush at line ends, so half the cuts fall right after a CR or a LF (which also puts
  // some between the CR and the LF of a CRLF); the others anywhere, inside characters too.
  const lineEnds: number[] = []
  for (let offset = 1; offset < length; offset += 1) {
    if (bytes[offset - 1] === 10 || bytes[offset - 1] === 13) lineEnds.push(offset)
  }
  const cuts = new Set<number>()
  for (let count = between(random, 0, 8); count > 0; count -= 1) {
    const atLineEnd = lineEnds.length > 0 && chance(random, 0.5)
    cuts.add(atLineEnd ? pick(random, lineEnds) : between(random, 1, length - 1))
  }
  return [...cuts].sort((a, b) => a - b)
}

/** The stream of `seed`. */
export function randomEventStream(seed: number): RandomEventStream {
  const random = seeded(seed)
  const bom = chance(random, 0.15) ? '\uFEFF' : ''
  const bytes = new TextEncoder().encode(bom + streamText(random))
  return { seed, bytes, cuts: cutsFor(random, bytes) }
}
