'use client'
import type { CSSProperties, ElementType, HTMLAttributes, ReactNode } from 'react'
import type { StreamStatus } from '../core/types'

/** Props of {@link StreamingText}. */
export interface StreamingTextProps extends Omit<HTMLAttributes<HTMLElement>, 'children'> {
  /** The text to show, verbatim: spaces and newlines are kept (`white-space: pre-wrap`). */
  text: string
  /**
   * The stream's status. While `starting` or `processing` the element is `aria-busy` and shows
   * the cursor.
   * @defaultValue `"idle"`
   */
  status?: StreamStatus
  /**
   * Element to render.
   * @defaultValue `"div"`
   */
  as?: ElementType
  /**
   * What to show after the text while streaming; `false` or `null` for nothing. It is
   * `aria-hidden`, so screen readers never read it.
   * @defaultValue `"▍"`
   */
  cursor?: ReactNode
}

const baseStyle: CSSProperties = { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }

/**
 * Renders streamed text as it grows.
 *
 * The text is rendered as a React text node, never through `innerHTML`, so markup in model output
 * (`<img onerror=…>`) shows as text. `white-space: pre-wrap` keeps the model's newlines and
 * leading spaces, which are real tokens. `data-status` carries the status for styling.
 */
export function StreamingText({
  text,
  status = 'idle',
  as: Tag = 'div',
  cursor = '▍',
  style,
  ...rest
}: StreamingTextProps) {
  const streaming = status === 'starting' || status === 'processing'
  return (
    <Tag {...rest} style={{ ...baseStyle, ...style }} aria-busy={streaming} data-status={status}>
      {text}
      {streaming && cursor !== false && cursor !== null ? (
        <span aria-hidden="true" data-streaming-cursor="">
          {cursor}
        </span>
      ) : null}
    </Tag>
  )
}
