'use client'
import { useState, type CSSProperties } from 'react'
import type { PredictionStreamError } from '../core/errors'
import type { StreamStatus } from '../core/types'

/**
 * What `<StreamingText>` announces in its polite live region. Each is a message, or `null` to
 * say nothing for that moment.
 */
export interface Announcements {
  /** When the stream starts (`starting`). @defaultValue `"Generating response…"` */
  started: string | null
  /** When it succeeds. @defaultValue `"Response complete."` */
  succeeded: string | null
  /** When it is canceled. @defaultValue `"Response canceled."` */
  canceled: string | null
  /** When it is aborted (deadline before start). @defaultValue `"Response aborted."` */
  aborted: string | null
  /** When it fails. @defaultValue `"Response failed: {error.message}"` */
  failed: ((error: PredictionStreamError | null) => string) | string | null
}

const defaults: Announcements = {
  started: 'Generating response…',
  succeeded: 'Response complete.',
  canceled: 'Response canceled.',
  aborted: 'Response aborted.',
  failed: (error) => (error ? `Response failed: ${error.message}` : 'Response failed.'),
}

// Visually hidden but read by assistive technology (the usual "sr-only" rules).
const srOnly: CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  margin: -1,
  padding: 0,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
  border: 0,
}

/**
 * A polite live region that speaks once per status change (start, end, failure), never per
 * token: the streaming text itself is not live, so screen readers are not flooded. The region
 * is always rendered, because a live region that appears together with its message is often
 * not announced.
 */
export function StatusAnnouncer({
  status,
  error,
  messages,
}: {
  status: StreamStatus
  error: PredictionStreamError | null
  messages?: Partial<Announcements> | undefined
}) {
  const [spoken, setSpoken] = useState({ status, message: '' })
  if (spoken.status !== status) {
    // Only transitions speak (state adjusted while rendering, not in an effect, so the message
    // lands in the same commit); `processing` keeps the start message, so nothing repeats.
    const next = messageFor(status, error, { ...defaults, ...messages })
    setSpoken({ status, message: next ?? spoken.message })
  }
  const message = spoken.message

  return (
    <span role="status" aria-live="polite" aria-atomic="true" style={srOnly}>
      {message}
    </span>
  )
}

function messageFor(
  status: StreamStatus,
  error: PredictionStreamError | null,
  messages: Announcements,
): string | null {
  switch (status) {
    case 'starting':
      return messages.started
    case 'succeeded':
      return messages.succeeded
    case 'canceled':
      return messages.canceled
    case 'aborted':
      return messages.aborted
    case 'failed':
      return typeof messages.failed === 'function' ? messages.failed(error) : messages.failed
    default:
      return null
  }
}
