import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { Haiku } from './haiku'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <main>
      <h1>A haiku, streamed</h1>
      <Haiku />
    </main>
  </StrictMode>,
)
