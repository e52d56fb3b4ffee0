import { createPredictionHandler } from 'react-prediction-stream/server'

// Reads REPLICATE_API_TOKEN and PREDICTION_HANDLER_SECRET (32+ random characters, the same on
// every instance) per request, so `next build` needs neither.
const handler = createPredictionHandler({
  // A public route that runs any model with your token is a billing hole: list what you allow.
  allowedModels: ['meta/meta-llama-3-8b-instruct'],
  // Replicate's API when unset; the local server's in development (see .env.local below).
  baseUrl: process.env.REPLICATE_BASE_URL,
})

export { handler as GET, handler as POST } // POST /api/predictions, GET /api/predictions/{id}, POST …/{id}/cancel
