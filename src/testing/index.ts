/**
 * `react-prediction-stream/testing`: a Replicate-compatible local server (node:http) that replays
 * real recorded model outputs, with fault injection and request inspection, for demos, the
 * library's tests and users' own tests.
 *
 * @packageDocumentation
 * @module react-prediction-stream/testing
 */
export { createReplicateApp, type NodeRequestListener, type ReplicateApp } from './app'
export type { CreateFault } from './faults/create-fault'
export type { Faults, FaultController, ResolvedFaults } from './faults/fault-set'
export type { CancelFault, FailFault } from './faults/prediction-faults'
export type { Counted, Repeated } from './faults/rules'
export type { StreamCut, StreamFault } from './faults/stream-fault'
export type { RecordedRequest, RequestHost } from './http/request-log'
export type { JsonSchema } from './models/input-schemas'
export { SERVED_MODELS, type ModelKind, type ServedModel } from './models/served-models'
export { LOCAL_API_TOKEN, type ReplicateServerOptions } from './options'
export type { Prediction, PredictionStatus, PredictionUrls } from '../core/prediction'
export type {
  BurstyCadence,
  Cadence,
  CadenceOption,
  RateCadence,
  ResolvedCadence,
} from './predictions/cadence'
export {
  startReplicateServer,
  type ReplicateServer,
  type StartReplicateServerOptions,
} from './server'
