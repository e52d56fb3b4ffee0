'use client'
// "react-prediction-stream": the React binding, plus everything of the core a React app needs.
export { usePredictionStream } from './react/use-prediction-stream'
export type {
  UseFollowPredictionOptions,
  UseGivenPredictionStreamOptions,
  UseOwnPredictionStreamOptions,
  UsePredictionStreamBehaviour,
  UsePredictionStreamOptions,
  UsePredictionStreamResult,
} from './react/use-prediction-stream'
export { PredictionStreamProvider } from './react/registry-context'
export type { PredictionStreamProviderProps } from './react/registry-context'
export { StreamingText } from './react/streaming-text'
export type { StreamingTextProps } from './react/streaming-text'
export type { Announcements } from './react/status-announcer'
export type { RevealOptions } from './react/use-revealed-text'
export * from './core/index'
