/**
 * What the `/v1` endpoints need from the app, and which create endpoint a request reached.
 */
import type { FaultState } from '../faults/fault-set'
import type { PredictionStore } from '../predictions/prediction-store'

/** What the API endpoints need from the app. */
export interface ApiContext {
  readonly store: PredictionStore
  /** The bearer token `/v1` requires. */
  readonly token: string
  readonly faults: FaultState
  /** Deployment `owner/name` → model `owner/name`. */
  readonly deployments: Readonly<Record<string, string>>
  /** The origin of stream URLs for a request that reached the API on `apiOrigin`. */
  readonly streamOrigin: (apiOrigin: string) => string
  /** Answer CORS on `/v1` (Replicate does not). */
  readonly apiCors: boolean
  /** The smallest accepted `Cancel-After`, in ms. */
  readonly minCancelAfterMs: number
}

/** Which create endpoint was called. */
export type CreateEndpointTarget =
  { via: 'version' } | { via: 'model'; name: string } | { via: 'deployment'; name: string }
