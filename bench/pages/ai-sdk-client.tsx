/**
 * The Vercel AI SDK's `useCompletion` on its text stream protocol, rendering `completion` as
 * its docs do. `throttle` is `experimental_throttle` (ms), `undefined` for its default.
 */
import { useCompletion } from '@ai-sdk/react'
import { useEffect } from 'react'
import type { ClientProps } from './harness'

export function AiSdkCompletion({ run, register, throttle }: ClientProps & { throttle?: number }) {
  const { completion, complete } = useCompletion({
    api: `/ai-sdk/completion?run=${encodeURIComponent(run)}`,
    streamProtocol: 'text',
    experimental_throttle: throttle,
  })
  useEffect(() => register(() => void complete('bench')), [register, complete])
  return (
    <div id="out" style={{ whiteSpace: 'pre-wrap' }}>
      {completion}
    </div>
  )
}
