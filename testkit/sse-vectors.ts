/**
 * Parser vectors: the cases of docs/replicate-protocol.md §5 that concern parsing, and all 50
 * rows of docs/sse-transport.md §8.1 (WHATWG HTML §9.2.6 / WPT `eventsource/`) with its five
 * more token-stream vectors.
 *
 * Each expected event is `[type, data, lastEventId?]`: type `undefined` is an unnamed
 * (`message`) event, and `lastEventId` is the WHATWG *last event ID* at dispatch, given where the
 * table gives one (an event without one has the last event ID `""`). That is the persistent
 * value, not what `eventsource-parser` puts on each event (see {@link ParserVector.lastEventId}).
 */
export type ExpectedEvent = [type: string | undefined, data: string, lastEventId?: string]

export interface ParserVector {
  name: string
  input: string | Uint8Array
  /** The chunk boundaries the table itself gives, fed as written on top of the usual splits. */
  chunks?: (string | Uint8Array)[]
  events: ExpectedEvent[]
  /**
   * The table's "expected final lastEventId" (`''` = none). WHATWG keeps the last event ID across
   * events, ignores an `id:` containing NUL and resets it on an empty `id:`; it is also committed
   * by a block without data. `eventsource-parser` 3.1 only sets `event.id` on an event whose own
   * block had an `id:` line, so the persistent value is what `PredictionStream` derives from
   * those (src/core/state.ts): `id ?? previous`. Left out for vectors outside the table.
   */
  lastEventId?: string
  /** The table's "expected final retry": the last valid `retry:` in ms; `undefined` = none. */
  retry?: number
}

const bytes = (...parts: (string | number[])[]): Uint8Array => {
  const out: number[] = []
  for (const part of parts) {
    if (typeof part === 'string') out.push(...new TextEncoder().encode(part))
    else out.push(...part)
  }
  return new Uint8Array(out)
}

const BOM = [0xef, 0xbb, 0xbf]
/** The table's `x×2048`: WPT format-comments' long comment lines. */
const x2048 = 'x'.repeat(2048)

/**
 * §8.1, in the table's order; names are `§8.1 #<row> <row name>`. Every row gives a final last
 * event ID; the rows that leave it out below expect `''`.
 */
const tableRows: ParserVector[] = [
  { name: '§8.1 #1 basic', input: 'data: hello\n\n', events: [[undefined, 'hello']] },
  { name: '§8.1 #2 multiline', input: 'data: a\ndata: b\n\n', events: [[undefined, 'a\nb']] },
  { name: '§8.1 #3 no space', input: 'data:hello\n\n', events: [[undefined, 'hello']] },
  {
    name: '§8.1 #4 two spaces keep one',
    input: 'data:  hello\n\n',
    events: [[undefined, ' hello']],
  },
  { name: '§8.1 #5 tab', input: 'data:\thello\n\n', events: [[undefined, '\thello']] },
  { name: '§8.1 #6 colon in value', input: 'data: a:b\n\n', events: [[undefined, 'a:b']] },
  { name: '§8.1 #7 empty data', input: 'data:\n\n', events: [[undefined, '']] },
  { name: '§8.1 #8 data without colon', input: 'data\n\n', events: [[undefined, '']] },
  { name: '§8.1 #9 two data without colon', input: 'data\ndata\n\n', events: [[undefined, '\n']] },
  {
    name: '§8.1 #10 leading empty data line',
    input: 'data:\ndata:x\n\n',
    events: [[undefined, '\nx']],
  },
  {
    name: '§8.1 #11 trailing empty data line',
    input: 'data:x\ndata:\n\n',
    events: [[undefined, 'x\n']],
  },
  { name: '§8.1 #12 comment only', input: ': ping\n\n', events: [] },
  { name: '§8.1 #13 colon-only comment', input: ':\n\n', events: [] },
  { name: '§8.1 #14 blank lines only', input: '\n\n\n', events: [] },
  { name: '§8.1 #15 event without data', input: 'event: foo\n\n', events: [] },
  {
    name: '§8.1 #16 id only, then data',
    input: 'id: 5\n\ndata: x\n\n',
    events: [[undefined, 'x', '5']],
    lastEventId: '5',
  },
  {
    name: '§8.1 #17 custom event',
    input: 'event: output\ndata: x\n\n',
    events: [['output', 'x']],
  },
  { name: '§8.1 #18 empty event field', input: 'event: \ndata: x\n\n', events: [[undefined, 'x']] },
  {
    name: '§8.1 #19 event type resets',
    input: 'event: a\ndata: 1\n\ndata: 2\n\n',
    events: [
      ['a', '1'],
      [undefined, '2'],
    ],
  },
  {
    name: '§8.1 #20 id persists',
    input: 'id: 1\ndata: 1\n\ndata: 2\n\n',
    events: [
      [undefined, '1', '1'],
      [undefined, '2', '1'],
    ],
    lastEventId: '1',
  },
  {
    name: '§8.1 #21 id changes and persists',
    input: 'id: 1\ndata: 1\n\nid: 2\ndata:2\n\ndata:3\n\n',
    events: [
      [undefined, '1', '1'],
      [undefined, '2', '2'],
      [undefined, '3', '2'],
    ],
    lastEventId: '2',
  },
  {
    name: '§8.1 #22 empty id resets',
    input: 'id: 1\ndata: 1\n\nid:\ndata: 2\n\ndata: 3\n\n',
    events: [
      [undefined, '1', '1'],
      [undefined, '2'],
      [undefined, '3'],
    ],
    lastEventId: '',
  },
  {
    name: '§8.1 #23 id with NUL ignored',
    input: 'id: 7\ndata: a\n\nid: a\u0000b\ndata: b\n\n',
    events: [
      [undefined, 'a', '7'],
      [undefined, 'b', '7'],
    ],
    lastEventId: '7',
  },
  {
    name: '§8.1 #24 non-ASCII id',
    input: 'id: …\ndata: hello\n\n',
    events: [[undefined, 'hello', '…']],
    lastEventId: '…',
  },
  { name: '§8.1 #25 CRLF', input: 'data: a\r\ndata: b\r\n\r\n', events: [[undefined, 'a\nb']] },
  { name: '§8.1 #26 CR only', input: 'data: a\rdata: b\r\r', events: [[undefined, 'a\nb']] },
  {
    name: '§8.1 #27 WPT newline fest',
    input: 'data:test\r\ndata\ndata:test\r\n\r\n',
    events: [[undefined, 'test\n\ntest']],
  },
  {
    name: '§8.1 #28 WPT leading space',
    input: 'data:\ttest\rdata: \ndata:test\n\n\n',
    events: [[undefined, '\ttest\n\ntest']],
  },
  {
    name: '§8.1 #29 WPT comments',
    input: `data:1\r:\u0000\n:\r\ndata:2\n:${x2048}\rdata:3\n:data:fail\r:${x2048}\ndata:4\n\n`,
    events: [[undefined, '1\n2\n3\n4']],
  },
  {
    name: '§8.1 #30 WPT field parsing',
    input:
      'data:\u0000\ndata:  2\rData:1\ndata\u0000:2\ndata:1\r\u0000data:4\nda-ta:3\rdata_5\n' +
      'data:3\rdata:\r\n data:32\ndata:4\n\n',
    events: [[undefined, '\u0000\n 2\n1\n3\n\n4']],
  },
  {
    name: '§8.1 #31 WPT unknown fields',
    input: 'data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test\n\n\n',
    events: [[undefined, 'test\n\ntest']],
  },
  {
    name: '§8.1 #32 WPT event-data (message2)',
    input:
      'data:msg\ndata: msg\n\n:\nfalsefield:msg\n\nfalsefield:msg\nData:data\n\ndata\n\n' +
      'data:end\n\n',
    events: [
      [undefined, 'msg\nmsg'],
      [undefined, ''],
      [undefined, 'end'],
    ],
  },
  {
    name: '§8.1 #33 BOM only at stream start',
    input: bytes(BOM, 'data:1\n\n', BOM, 'data:2\n\ndata:3\n\n\n'),
    events: [
      [undefined, '1'],
      [undefined, '3'],
    ],
  },
  {
    name: '§8.1 #34 double BOM',
    input: bytes(BOM, BOM, 'data:1\n\ndata:2\n\ndata:3\n\n\n'),
    events: [
      [undefined, '2'],
      [undefined, '3'],
    ],
  },
  {
    name: '§8.1 #35 BOM in a data value',
    input: 'data: \uFEFFx\n\n',
    events: [[undefined, '\uFEFFx']],
  },
  { name: '§8.1 #36 NUL in data', input: 'data:\u0000\n\n', events: [[undefined, '\u0000']] },
  {
    name: '§8.1 #37 UTF-8 multibyte',
    input: 'data: é€😀 日本\n\n',
    events: [[undefined, 'é€😀 日本']],
  },
  {
    name: '§8.1 #38 invalid UTF-8',
    input: bytes('data: a', [0xff], 'b\n\n'),
    events: [[undefined, 'a\uFFFDb']],
  },
  { name: '§8.1 #39 field names are case-sensitive', input: 'Data: x\n\n', events: [] },
  { name: '§8.1 #40 space before the field name', input: ' data: x\n\n', events: [] },
  {
    name: '§8.1 #41 valid retry',
    input: 'retry: 5000\ndata: x\n\n',
    events: [[undefined, 'x']],
    retry: 5000,
  },
  {
    name: '§8.1 #42 retry with a leading zero',
    input: 'retry: 02000\ndata: x\n\n',
    events: [[undefined, 'x']],
    retry: 2000,
  },
  {
    name: '§8.1 #43 retry with a bogus suffix',
    input: 'retry: 3000\nretry: 1000x\ndata: x\n\n',
    events: [[undefined, 'x']],
    retry: 3000,
  },
  { name: '§8.1 #44 negative retry', input: 'retry: -5\ndata: x\n\n', events: [[undefined, 'x']] },
  { name: '§8.1 #45 decimal retry', input: 'retry: 1.5\ndata: x\n\n', events: [[undefined, 'x']] },
  { name: '§8.1 #46 empty retry', input: 'retry\ndata:test\n\n', events: [[undefined, 'test']] },
  {
    name: '§8.1 #47 space-padded retry',
    input: 'retry:  100\ndata: x\n\n',
    events: [[undefined, 'x']],
  },
  {
    name: '§8.1 #48 incomplete final event dropped',
    input: 'data: a\n\ndata: b',
    events: [[undefined, 'a']],
  },
  {
    name: '§8.1 #49 WPT data before the final empty line',
    input: 'retry:1000\ndata:test1\n\nid:test\ndata:test2\n',
    events: [[undefined, 'test1']],
    retry: 1000,
  },
  {
    name: '§8.1 #50 Replicate style',
    input:
      'event: output\nid: 1690000000000-0\ndata: Hello\n\n' +
      'event: output\nid: 1690000000001-0\ndata:  world\n\n' +
      'event: done\nid: 1690000000002-0\ndata: {}\n\n',
    events: [
      ['output', 'Hello', '1690000000000-0'],
      ['output', ' world', '1690000000001-0'],
      ['done', '{}', '1690000000002-0'],
    ],
    lastEventId: '1690000000002-0',
  },
]
const tableVectors = tableRows.map((vector) => ({ lastEventId: '', ...vector }))

/** §8.1 "Additional token-stream vectors". */
const tokenVectors: ParserVector[] = [
  {
    name: '§8.1 token "\\n"',
    input: 'event: output\ndata: \ndata: \n\n',
    events: [['output', '\n']],
  },
  {
    name: '§8.1 token "\\n\\nHello"',
    input: 'event: output\ndata: \ndata: \ndata: Hello\n\n',
    events: [['output', '\n\nHello']],
  },
  {
    name: '§8.1 token "Hi\\n\\n"',
    input: 'event: output\ndata: Hi\ndata: \ndata: \n\n',
    events: [['output', 'Hi\n\n']],
  },
  {
    name: '§8.1 BOM split across chunks',
    input: bytes(BOM, 'data:1\n\n'),
    chunks: [bytes(BOM.slice(0, 2)), bytes(BOM.slice(2)), 'data:1\n\n'],
    events: [[undefined, '1']],
  },
  {
    name: '§8.1 CRLF split across chunks',
    input: 'data: a\r\n\r\n',
    chunks: ['data: a\r', '\n\r\n'],
    events: [[undefined, 'a']],
  },
  {
    // Found by the differential test against Chromium: a chunk that ends with the CR of a blank
    // line holds its event in the parser until the next chunk, while the id-only block after it
    // must still take effect after that event.
    name: 'CR-only id-only block after a held event',
    input: 'id: 1\rdata: a\r\rid: 2\r\rdata: b\r\r',
    chunks: ['id: 1\rdata: a\r\r', 'id: 2\r\rdata: b\r\r'],
    events: [
      [undefined, 'a', '1'],
      [undefined, 'b', '2'],
    ],
    lastEventId: '2',
  },
  {
    // U+00EF U+00BB U+00BF is a BOM's bytes read as Latin-1, not a BOM: the field name is then
    // "ï»¿data", unknown, and nothing is dispatched (WHATWG strips only U+FEFF).
    name: 'Latin-1 look-alike of a BOM is not a BOM',
    input: '\u00EF\u00BB\u00BFdata: x\n\n',
    events: [],
  },
]

/**
 * docs/replicate-protocol.md §5 cases about parsing (the rest are in
 * conformance-replicate.test.ts).
 */
const replicateVectors: ParserVector[] = [
  {
    name: 'C-20 nchan newline tokens',
    input:
      'event: output\nid: 1:0\ndata: hello\ndata: \n\n' +
      'event: output\nid: 1:1\ndata: \ndata: \n\n' +
      'event: output\nid: 1:2\ndata: \ndata: \ndata: \n\n',
    events: [
      ['output', 'hello\n', '1:0'],
      ['output', '\n', '1:1'],
      ['output', '\n\n', '1:2'],
    ],
  },
  {
    name: 'C-6 comment, output and done',
    input:
      ': hi\n\nevent: output\nid: EVENT_1\ndata: hello,\ndata: this is a new line\n\n' +
      'event: done\nid: EVENT_2\ndata: {}\n\n',
    events: [
      ['output', 'hello,\nthis is a new line', 'EVENT_1'],
      ['done', '{}', 'EVENT_2'],
    ],
  },
  {
    name: 'C-24 CRLF everywhere',
    input: 'event: output\r\nid: 1:0\r\ndata: a\r\ndata: b\r\n\r\n',
    events: [['output', 'a\nb', '1:0']],
  },
  {
    name: 'C-21 colon in value',
    input: 'event: output\ndata: Note: yes: no\n\n',
    events: [['output', 'Note: yes: no']],
  },
  {
    name: 'C-38 space before colon',
    input: 'event : output\ndata: x\n\n',
    events: [[undefined, 'x']],
  },
]

export const parserVectors: ParserVector[] = [...tableVectors, ...tokenVectors, ...replicateVectors]

/**
 * How each vector is fed: whole, one byte per chunk, and in 3-byte chunks
 * (docs/sse-transport.md §7.15).
 */
export const chunkings = [
  { name: 'whole', size: Number.MAX_SAFE_INTEGER },
  { name: 'byte by byte', size: 1 },
  { name: '3-byte chunks', size: 3 },
]
