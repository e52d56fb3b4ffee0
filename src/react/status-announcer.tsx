'use client'
import { useState, type CSSProperties } from 'react'
import type { PredictionStreamError } from '../core/errors'
import type { ConnectionState, StreamStatus } from '../core/types'

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
  /**
   * When the connection is lost while the response streams, once per loss.
   * @defaultValue `"Connection lost. Reconnecting…"`
   */
  reconnecting: string | null
  /** When the connection is back after a loss. @defaultValue `"Connection restored."` */
  reconnected: string | null
}

const defaults: Announcements = {
  started: 'Generating response…',
  succeeded: 'Response complete.',
  canceled: 'Response canceled.',
  aborted: 'Response aborted.',
  failed: (error) => (error ? `Response failed: ${error.message}` : 'Response failed.'),
  reconnecting: 'Connection lost. Reconnecting…',
  reconnected: 'Connection restored.',
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
 * A polite live region that speaks once per status change (start, end, failure) and once when
 * the connection is lost and when it is back, never per token: the streaming text itself is not
 * live, so screen readers are not flooded. The region is always rendered, because a live region
 * that appears together with its message is often not announced.
 */
export function StatusAnnouncer({
  status,
  connection = 'idle',
  error,
  messages,
}: {
  status: StreamStatus
  connection?: ConnectionState | undefined
  error: PredictionStreamError | null
  messages?: Partial<Announcements> | undefined
}) {
  const lost = connection === 'reconnecting'
  const [spoken, setSpoken] = useState({ status, lost, message: '' })
  if (spoken.status !== status || spoken.lost !== lost) {
    // Only transitions speak (state adjusted while rendering, not in an effect, so the message
    // lands in the same commit); `processing` keeps the start message, so nothing repeats.
    const all = { ...defaults, ...messages }
    const next =
      spoken.status !== status
        ? messageFor(status, error, all)
        : isRunning(status)
          ? lost
            ? all.reconnecting
            : all.reconnected
          : null
    setSpoken({ status, lost, message: next ?? spoken.message })
  }
  const message = spoken.message

  return (
    <span role="status" aria-live="polite" aria-atomic="true" style={srOnly}>
      {message}
    </span>
  )
}

function isRunning(status: StreamStatus): boolean {
  return status === 'starting' || status === 'processing'
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
