import { useState } from 'react'
import { ChatDemo, type ChatDemoProps } from './chat-demo'

/**
 * The chat, with a button that unmounts it and mounts a fresh one, as a reload does to a page:
 * the new chat finds the thread in `localStorage`, paints it at once and re-attaches to the
 * running answer's prediction. (A real reload is tested in Chromium: test/chat/reload.test.ts.)
 */
export function ReloadableChat(props: ChatDemoProps) {
  const [generation, setGeneration] = useState(0)
  return (
    <div>
      <button type="button" onClick={() => setGeneration((value) => value + 1)}>
        Simulate a reload
      </button>
      <ChatDemo key={generation} {...props} />
    </div>
  )
}
