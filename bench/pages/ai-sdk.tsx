/** `useCompletion` with its defaults: one state update per network chunk. */
import { AiSdkCompletion } from './ai-sdk-client'
import { mountBenchPage } from './harness'

mountBenchPage(AiSdkCompletion)
