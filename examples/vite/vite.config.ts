import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { localReplicateServer } from 'react-prediction-stream/vite'

export default defineConfig({
  // `/api/predictions` and a Replicate-compatible server in Vite's own server (`vite` and
  // `vite preview`): no token, no other process. Five tokens a second: slow enough to watch,
  // cancel, and reload in the middle of.
  plugins: [react(), localReplicateServer({ cadence: { tokensPerSecond: 5 } })],
})
