import { isTerminalStatus } from './prediction'
import type { SnapshotFields } from './snapshot'

/**
 * Updates `next.metrics` for what the action changed, at the clock value it carries: output
 * timing, the phases' durations, and completion. A new metrics object only when one changed.
 */
export function applyTiming(before: SnapshotFields, next: SnapshotFields, at: number): void {
  let metrics = next.metrics
  const update = (changes: Partial<typeof metrics>) => (metrics = { ...metrics, ...changes })
  const added = next.outputList.length - before.outputList.length
  if (added > 0) {
    const firstOutputAt = metrics.firstOutputAt ?? at
    const outputEvents = metrics.outputEvents + added
    const seconds = (at - firstOutputAt) / 1000
    update({
      firstOutputAt,
      lastOutputAt: at,
      outputEvents,
      timeToFirstOutputMs: metrics.startedAt === null ? null : firstOutputAt - metrics.startedAt,
      outputEventsPerSecond: outputEvents > 1 && seconds > 0 ? (outputEvents - 1) / seconds : null,
    })
  }
  if (!before.prediction && next.prediction && metrics.createMs === null) {
    update({ createMs: metrics.startedAt === null ? null : at - metrics.startedAt })
  }
  if (next.status === 'processing' && metrics.processingAt === null) {
    const since = metrics.startedAt === null ? null : metrics.startedAt + (metrics.createMs ?? 0)
    update({ processingAt: at, queueMs: since === null ? null : at - since })
  }
  const wasStalled = before.connection === 'reconnecting'
  const isStalled = next.connection === 'reconnecting'
  if (!wasStalled && isStalled) update({ stalledSince: at })
  if (wasStalled && !isStalled && metrics.stalledSince !== null) {
    update({ stalledMs: metrics.stalledMs + (at - metrics.stalledSince), stalledSince: null })
  }
  if (isTerminalStatus(next.status) && !isTerminalStatus(before.status)) {
    update({
      completedAt: at,
      generationMs: metrics.firstOutputAt === null ? null : at - metrics.firstOutputAt,
    })
  }
  const tokensPerSecond = reportedTokensPerSecond(next.prediction?.metrics)
  if (tokensPerSecond !== metrics.tokensPerSecond) update({ tokensPerSecond })
  next.metrics = metrics
}

/**
 * Tokens per second as the model reports them in the prediction's `metrics` (Replicate's
 * language models report `tokens_per_second`, or `output_token_count` and `predict_time`);
 * `null` for models that report no tokens.
 */
function reportedTokensPerSecond(
  metrics: Record<string, number | undefined> | undefined,
): number | null {
  if (!metrics) return null
  if (typeof metrics.tokens_per_second === 'number') return metrics.tokens_per_second
  const tokens = metrics.output_token_count
  const seconds = metrics.predict_time
  return typeof tokens === 'number' && typeof seconds === 'number' && seconds > 0
    ? tokens / seconds
    : null
}
