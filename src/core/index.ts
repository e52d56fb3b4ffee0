/**
 * `react-prediction-stream/core`: the framework-free lifecycle, usable from any UI or from Node.
 *
 * @packageDocumentation
 * @module react-prediction-stream/core
 */
export { PredictionStream } from './prediction-stream'
export { PredictionStreamRegistry } from './registry'
export type { FollowPredictionOptions } from './registry'
export { throttleSubscribe } from './throttle'
export type { UpdateInterval } from './throttle'
export { watchPredictionStream } from './watch'
export type { PredictionStreamCallbacks } from './watch'
export { resumeAfterReload } from './resume-store'
export type { StoredPrediction } from './resume-store'
export { tabSharing } from './tab-sharing'
export type { TabChannel, TabCoordination, TabLocks } from './cross-tab'
export {
  ApiError,
  ConnectionError,
  InvalidOptionsError,
  PredictionFailedError,
  PredictionStreamError,
  ProtocolError,
} from './errors'
export type { InvalidField, PredictionStreamErrorCode } from './errors'
export { isRunningStatus, isTerminalStatus, TERMINAL_STATUSES } from './prediction'
export { fileOutputOf } from './file-output'
export type { FileOutput } from './file-output'
export type { Prediction, PredictionStatus, PredictionUrls } from './prediction'
export type {
  ConnectionState,
  OutputKind,
  PredictionStreamMetrics,
  PredictionStreamOptions,
  PredictionStreamSnapshot,
  Resume,
  ResumeOptions,
  ResumeStorage,
  RetryOptions,
  SnapshotSource,
  StreamPhase,
  StreamStatus,
  TabSharing,
  Timers,
  Transport,
} from './types'
export * from './chat/index'
