/** `useCompletion` with `experimental_throttle: 16`: at most one update per 16 ms. */
import { AiSdkCompletion } from './ai-sdk-client'
import { mountBenchPage, type ClientProps } from './harness'

mountBenchPage((props: ClientProps) => <AiSdkCompletion {...props} throttle={16} />)
