/**
 * `react-prediction-stream/server`: the route handler that keeps the Replicate API token on the
 * server and predictions with the caller who created them. Never import this entry from browser
 * code.
 *
 * @packageDocumentation
 * @module react-prediction-stream/server
 */
export { createPredictionHandler } from './create-prediction-handler'
export type { PredictionHandler, PredictionHandlerContext } from './create-prediction-handler'
export type { PredictionHandlerOptions, PrepareInputArgs } from './options'
export type { AllowedModels, AllowedModelsOption } from './request/allowed-models'
export type { HandlerPrediction } from './upstream/browser-prediction'
export type { HandedBody } from './request/request-body'
export type { CreateTarget } from './request/create-request'
export type { RateLimit } from './limits/limits'
export { PredictionHandlerError } from './handler-error'
export type { PredictionHandlerErrorCode } from './handler-error'
export { inputProblem } from './problem'
export type { InvalidField } from '../core/errors'
export type { LimitStore } from './limits/limit-store'
export { createMemoryLimitStore } from './limits/memory-limit-store'
export type { MemoryLimitStoreOptions } from './limits/memory-limit-store'
export { createRedisLimitStore } from './limits/redis-limit-store'
export type { RedisLimitStoreOptions, RedisScriptClient } from './limits/redis-limit-store'
export { toNodeListener } from './node-listener'
export type { NodeListener } from './node-listener'
export { MAX_BODY_BYTES } from './request/create-request'
export { SESSION_COOKIE } from './identity/anonymous-session'
