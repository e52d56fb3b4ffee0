/**
 * `react-prediction-stream/server`: the route handler that keeps the Replicate API token on the
 * server. Never import this entry from browser code.
 */
export { createPredictionHandler } from './create-prediction-handler'
export type { PredictionHandler, PredictionHandlerOptions } from './create-prediction-handler'
export { MAX_BODY_BYTES } from './create-request'
