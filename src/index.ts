/**
 * `react-prediction-stream`: the React binding (`usePredictionStream`, `<StreamingText>`,
 * `<PredictionStreamProvider>`), plus everything of the core a React app needs.
 *
 * @packageDocumentation
 * @module react-prediction-stream
 */
'use client'
export { usePredictionStream } from './react/use-prediction-stream'
export type {
  UseFollowPredictionOptions,
  UseGivenPredictionStreamOptions,
  UseOwnPredictionStreamOptions,
  UsePredictionStreamBehaviour,
  UsePredictionStreamOptions,
  UsePredictionStreamResult,
} from './react/use-prediction-stream'
export { usePredictionChat } from './react/use-prediction-chat'
export type {
  ChatTextProps,
  UsePredictionChatOptions,
  UsePredictionChatResult,
} from './react/use-prediction-chat'
export { useAutoScroll } from './react/use-auto-scroll'
export type { AutoScrollOptions, AutoScrollResult } from './react/use-auto-scroll'
export { PredictionStreamProvider } from './react/registry-context'
export type { PredictionStreamProviderProps } from './react/registry-context'
export { StreamingText } from './react/streaming-text'
export type { StreamingTextProps } from './react/streaming-text'
export type { Announcements } from './react/status-announcer'
export type { RevealOptions } from './react/use-revealed-text'
export * from './core/index'
