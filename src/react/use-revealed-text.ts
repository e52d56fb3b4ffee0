'use client'
import { useEffect, useRef, useState } from 'react'
import { isPageHidden } from '../core/page-lifecycle'

/** Options of the smooth reveal of `<StreamingText reveal>`. */
export interface RevealOptions {
  /**
   * Steady reveal speed, in characters per second, when the text is not behind.
   * @defaultValue 120
   */
  charactersPerSecond?: number
  /**
   * The most the shown text may lag behind the received text, in ms: when more has arrived
   * than `charactersPerSecond` would show in this time, the reveal speeds up to catch up within
   * it.
   * @defaultValue 400
   */
  maxLagMs?: number
}

/**
 * A prefix of `text` that grows smoothly, frame by frame, never lagging more than
 * `maxLagMs` behind. Shows the full text at once when disabled, when the user prefers reduced
 * motion (`prefers-reduced-motion: reduce`), and when the tab is hidden (nobody is watching, and
 * frames do not run there).
 */
export function useRevealedText(text: string, options: RevealOptions | false): string {
  const enabled = options !== false
  const speed = (enabled && options.charactersPerSecond) || 120
  const maxLagMs = (enabled && options.maxLagMs) || 400
  const [shown, setShown] = useState(enabled ? '' : text)
  // The revealed prefix belongs to this text: a text that is not an extension restarts.
  const base = enabled && text.startsWith(shown) ? shown : ''
  const revealed = useRef(base.length)
  revealed.current = base.length

  useEffect(() => {
    if (!enabled || revealed.current >= text.length) return
    if (typeof requestAnimationFrame !== 'function' || prefersReducedMotion() || isPageHidden()) {
      setShown(text)
      return
    }
    let last = performance.now()
    let frame = requestAnimationFrame(function step(now) {
      const elapsed = Math.max(0, now - last)
      last = now
      const backlog = text.length - revealed.current
      // Steady speed, or faster when behind: the whole backlog is gone within maxLagMs.
      const count = Math.ceil(Math.max((speed * elapsed) / 1000, (backlog * elapsed) / maxLagMs, 1))
      revealed.current = Math.min(text.length, revealed.current + count)
      setShown(text.slice(0, revealed.current))
      if (revealed.current < text.length) frame = requestAnimationFrame(step)
    })
    const onVisibility = () => {
      if (!isPageHidden()) return
      cancelAnimationFrame(frame)
      setShown(text)
    }
    document.addEventListener('visibilitychange', onVisibility)
    return () => {
      cancelAnimationFrame(frame)
      document.removeEventListener('visibilitychange', onVisibility)
    }
  }, [enabled, text, speed, maxLagMs])

  return enabled ? base : text
}

function prefersReducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches
}
