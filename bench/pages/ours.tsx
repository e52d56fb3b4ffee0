/** Ours, as the README's quick start writes it: `usePredictionStream` + `<StreamingText>`. */
import { useEffect } from 'react'
import { StreamingText, usePredictionStream } from '../../src/index'
import { mountBenchPage, type ClientProps } from './harness'

function Ours({ run, register }: ClientProps) {
  const { text, status, start } = usePredictionStream({
    endpoint: '/replicate/predictions',
    model: 'bench/tokens',
  })
  useEffect(() => register(() => void start({ run })), [register, start, run])
  return <StreamingText id="out" text={text} status={status} />
}

mountBenchPage(Ours)
