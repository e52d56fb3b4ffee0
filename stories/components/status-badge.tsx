import type { ConnectionState, StreamStatus } from '../../src/index'

/**
 * The status as a badge: `Status: succeeded`, with a colour and a sign per status
 * (`.storybook/theme.css`), so no two terminal states look alike.
 */
export function StatusBadge({ status }: { status: StreamStatus }) {
  return (
    <span className="rps-badge" data-status={status}>
      Status: {status}
    </span>
  )
}

/** The connection, and the attempt while reconnecting, as quiet text beside the badge. */
export function ConnectionText({
  connection,
  attempt = 0,
}: {
  connection: ConnectionState
  attempt?: number
}) {
  return (
    <span className="rps-muted">
      Connection: {connection}
      {attempt > 0 ? ` · Attempt: ${attempt}` : ''}
    </span>
  )
}
