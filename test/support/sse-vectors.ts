/**
 * Parser vectors from shared/docs/sse-transport.md §8.1 (WHATWG HTML §9.2.6 / WPT) and the
 * Replicate cases of replicate-protocol.md §5 that concern parsing. Expected events are
 * `[type, data, lastEventId]` where type `undefined` is an unnamed (`message`) event.
 */
export interface ParserVector {
  name: string
  input: string | Uint8Array
  events: [string | undefined, string][]
}

const bytes = (...parts: (string | number[])[]): Uint8Array => {
  const out: number[] = []
  for (const part of parts) {
    if (typeof part === 'string') out.push(...new TextEncoder().encode(part))
    else out.push(...part)
  }
  return new Uint8Array(out)
}

export const parserVectors: ParserVector[] = [
  { name: '§8.1 #2 multiline', input: 'data: a\ndata: b\n\n', events: [[undefined, 'a\nb']] },
  {
    name: '§8.1 #4 two spaces keep one',
    input: 'data:  hello\n\n',
    events: [[undefined, ' hello']],
  },
  { name: '§8.1 #8 data without colon', input: 'data\n\n', events: [[undefined, '']] },
  { name: '§8.1 #9 two data without colon', input: 'data\ndata\n\n', events: [[undefined, '\n']] },
  {
    name: '§8.1 #10 leading empty data line',
    input: 'data:\ndata:x\n\n',
    events: [[undefined, '\nx']],
  },
  { name: '§8.1 #12 comment only', input: ': ping\n\n', events: [] },
  { name: '§8.1 #15 event without data', input: 'event: foo\n\n', events: [] },
  { name: '§8.1 #26 CR only', input: 'data: a\rdata: b\r\r', events: [[undefined, 'a\nb']] },
  {
    name: '§8.1 #33 BOM only at stream start',
    input: bytes([0xef, 0xbb, 0xbf], 'data:1\n\n', [0xef, 0xbb, 0xbf], 'data:2\n\ndata:3\n\n\n'),
    events: [
      [undefined, '1'],
      [undefined, '3'],
    ],
  },
  {
    name: '§8.1 #37 UTF-8 multibyte',
    input: 'data: é€😀 日本\n\n',
    events: [[undefined, 'é€😀 日本']],
  },
  {
    name: '§8.1 #48 incomplete final event dropped',
    input: 'data: a\n\ndata: b',
    events: [[undefined, 'a']],
  },
  {
    name: 'C-20 nchan newline tokens',
    input:
      'event: output\nid: 1:0\ndata: hello\ndata: \n\n' +
      'event: output\nid: 1:1\ndata: \ndata: \n\n' +
      'event: output\nid: 1:2\ndata: \ndata: \ndata: \n\n',
    events: [
      ['output', 'hello\n'],
      ['output', '\n'],
      ['output', '\n\n'],
    ],
  },
  {
    name: 'C-6 comment, output and done',
    input:
      ': hi\n\nevent: output\nid: EVENT_1\ndata: hello,\ndata: this is a new line\n\nevent: done\nid: EVENT_2\ndata: {}\n\n',
    events: [
      ['output', 'hello,\nthis is a new line'],
      ['done', '{}'],
    ],
  },
  {
    name: 'C-24 CRLF everywhere',
    input: 'event: output\r\nid: 1:0\r\ndata: a\r\ndata: b\r\n\r\n',
    events: [['output', 'a\nb']],
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

/** How each vector is fed: whole, one byte per chunk, and in 3-byte chunks (sse-transport.md §7.15). */
export const chunkings = [
  { name: 'whole', size: Number.MAX_SAFE_INTEGER },
  { name: 'byte by byte', size: 1 },
  { name: '3-byte chunks', size: 3 },
]
