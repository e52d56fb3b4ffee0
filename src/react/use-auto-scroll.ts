'use client'
import { useCallback, useEffect, useRef, useState, type RefCallback } from 'react'

/** Options of {@link useAutoScroll}. */
export interface AutoScrollOptions {
  /**
   * How close to the bottom, in CSS pixels, still counts as "at the bottom".
   * @defaultValue `32`
   */
  threshold?: number
}

/** What {@link useAutoScroll} returns. */
export interface AutoScrollResult<T extends HTMLElement> {
  /** Put this on the scrolling element (the one with `overflow: auto`). */
  ref: RefCallback<T>
  /** `true` while the view follows new content; `false` once the person scrolled up. */
  pinned: boolean
  /** Scrolls to the bottom and follows new content again (a "Jump to latest" button). */
  scrollToBottom: () => void
}

/**
 * Keeps a scrolling element at its bottom while content grows (streamed tokens, new messages),
 * and stops as soon as the person scrolls up to read, until they scroll back down. Content
 * changes are watched with a `MutationObserver`, so it needs no re-render per token.
 */
export function useAutoScroll<T extends HTMLElement = HTMLElement>(
  options: AutoScrollOptions = {},
): AutoScrollResult<T> {
  const threshold = options.threshold ?? 32
  const [element, setElement] = useState<T | null>(null)
  const [pinned, setPinned] = useState(true)
  const pinnedRef = useRef(true)

  const pin = useCallback((value: boolean) => {
    pinnedRef.current = value
    setPinned(value)
  }, [])

  useEffect(() => {
    if (!element) return
    // Only the person scrolls up: growing content never moves scrollTop, so a scroll event that
    // leaves the bottom behind comes from them (or from a scroll we made to the bottom).
    const onScroll = () => {
      const distance = element.scrollHeight - element.scrollTop - element.clientHeight
      const atBottom = distance <= threshold
      if (atBottom !== pinnedRef.current) pin(atBottom)
    }
    const observer = new MutationObserver(() => {
      if (pinnedRef.current) scrollToEnd(element)
    })
    observer.observe(element, { childList: true, subtree: true, characterData: true })
    element.addEventListener('scroll', onScroll, { passive: true })
    if (pinnedRef.current) scrollToEnd(element)
    return () => {
      observer.disconnect()
      element.removeEventListener('scroll', onScroll)
    }
  }, [element, threshold, pin])

  const scrollToBottom = useCallback(() => {
    pin(true)
    if (element) scrollToEnd(element)
  }, [element, pin])

  return { ref: setElement, pinned, scrollToBottom }
}

function scrollToEnd(element: HTMLElement): void {
  element.scrollTop = element.scrollHeight
}
