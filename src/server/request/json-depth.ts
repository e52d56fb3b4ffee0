/**
 * Nesting limits for JSON, checked without recursion. `JSON.stringify` and most code that walks
 * a value recurse once per level, so a 5,000-deep body overflows the stack on its way upstream;
 * these checks run first, in a loop, and turn such a body into a 400.
 */

/** Deepest nesting of arrays/objects accepted in a request or an upstream reply. */
export const MAX_JSON_DEPTH = 64

/** Most values (objects, arrays, primitives) walked in an already-parsed value. */
const MAX_VALUES = 200_000

/** `true` when JSON `text` nests arrays/objects deeper than `max`. Linear, no recursion. */
export function textTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return false
}

/**
 * `true` when a parsed `value` nests deeper than `max`, has more than 200,000 values, or is not
 * plain JSON data (a cycle, a function): such a value cannot be sent upstream as JSON.
 */
export function valueTooDeep(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]]
  let seen = 0
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!
    if (++seen > MAX_VALUES) return true
    const type = typeof current
    if (type === 'function' || type === 'symbol' || type === 'bigint') return true
    if (typeof current !== 'object' || current === null) continue
    if (depth + 1 > max) return true
    const children = Array.isArray(current) ? current : Object.values(current)
    for (const child of children) stack.push([child, depth + 1])
  }
  return false
}
