/**
 * `react-prediction-stream/testing`: a Replicate-compatible local server (node:http) that replays
 * real recorded model outputs, with fault injection and request inspection, for demos, the
 * library's tests and users' own tests.
 */
export { createReplicateApp, type Listener, type ReplicateApp } from './app'
export type { BurstyCadence, Cadence, CadenceOption, RateCadence, ResolvedCadence } from './cadence'
export type {
  CancelFault,
  Counted,
  CreateFault,
  FailFault,
  FaultController,
  Faults,
  Repeated,
  ResolvedFaults,
  StreamCut,
  StreamFault,
} from './faults'
export { LOCAL_API_TOKEN, type ReplicateServerOptions } from './options'
export type { FailureInjection } from './prediction-store'
export type { RecordedRequest, RequestHost } from './request-log'
export {
  startReplicateServer,
  type ReplicateServer,
  type StartReplicateServerOptions,
} from './server'
export { ECHO_MODEL, SERVED_MODELS, type ServedModel } from './models'
export { FILE_MODEL_NAMES, MODEL_NAMES } from './recordings'
