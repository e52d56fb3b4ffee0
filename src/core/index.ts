// "react-prediction-stream/core": the framework-free lifecycle, usable from any UI or from Node.
export { PredictionStream } from './prediction-stream'
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
  PredictionStreamOptions,
  PredictionStreamSnapshot,
  RetryOptions,
  StreamStatus,
  Timers,
} from './types'
