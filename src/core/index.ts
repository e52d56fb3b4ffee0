// "react-prediction-stream/core": the framework-free lifecycle, usable from any UI or from Node.
export { PredictionStream } from './prediction-stream'
export {
  getSharedPredictionStream,
  retainSharedPredictionStream,
  sharedPredictionStreamCount,
} from './shared-streams'
export type { SharedPredictionStreamOptions } from './shared-streams'
export { throttleSubscribe } from './throttle'
export type { SnapshotSource, UpdateInterval } from './throttle'
export { watchPredictionStream } from './watch'
export type { ResumeOptions, ResumeStorage, StoredPrediction } from './resume-store'
export type { PredictionStreamCallbacks } from './watch'
export {
  ApiError,
  ConnectionError,
  InvalidOptionsError,
  PredictionFailedError,
  PredictionStreamError,
  ProtocolError,
} from './errors'
export type { InvalidField, PredictionStreamErrorCode } from './errors'
export { isTerminalStatus, TERMINAL_STATUSES } from './prediction'
export type { Prediction, PredictionStatus, PredictionUrls } from './prediction'
export type {
  ConnectionState,
  Listener,
  PredictionStreamMetrics,
  PredictionStreamOptions,
  PredictionStreamSnapshot,
  RetryOptions,
  StreamStatus,
  Timers,
} from './types'
