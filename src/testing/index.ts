/**
 * `react-prediction-stream/testing`: a Replicate-compatible local server (node:http) that replays
 * real recorded model outputs, for demos, the library's tests and users' own tests.
 */
export { createReplicateApp, type ReplicateApp } from './app'
export { LOCAL_API_TOKEN, type ReplicateServerOptions } from './options'
export type { Cadence, FailureInjection } from './prediction-store'
export {
  startReplicateServer,
  type ReplicateServer,
  type StartReplicateServerOptions,
} from './server'
export { MODEL_NAMES } from './recordings'
