/**
 * `react-prediction-stream/vite`: the Vite plugin that mounts the local Replicate-compatible
 * server and the route handler into Vite's dev server (and `vite preview`). Node only: import it
 * from `vite.config.ts`, never from the app.
 *
 * @packageDocumentation
 * @module react-prediction-stream/vite
 */
export { localReplicateServer } from './local-replicate-server'
export type { LocalReplicateServerOptions } from './local-replicate-server'
export type { ReplicateServerOptions } from '../testing/options'
// The option types of the local server, so the plugin's options are complete without a second
// import from `react-prediction-stream/testing`.
export type {
  BurstyCadence,
  Cadence,
  CadenceOption,
  CancelFault,
  CreateFault,
  FailFault,
  Faults,
  RateCadence,
  Repeated,
  StreamCut,
  StreamFault,
} from '../testing/index'
