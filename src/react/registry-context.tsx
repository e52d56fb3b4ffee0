'use client'
import { createContext, useContext, useState, type ReactNode } from 'react'
import { PredictionStreamRegistry } from '../core/registry'

const RegistryContext = createContext<PredictionStreamRegistry | null>(null)

/** Props of {@link PredictionStreamProvider}. */
export interface PredictionStreamProviderProps {
  /**
   * The registry that shares streams followed by `predictionId` below this provider. Pass one
   * to reach it from outside React (or to isolate a subtree, or a test).
   * @defaultValue a new registry, created once per provider
   */
  registry?: PredictionStreamRegistry
  /** The components that share the registry. */
  children?: ReactNode
}

/**
 * Gives the components below it their own {@link PredictionStreamRegistry}: every
 * `usePredictionStream({ predictionId })` under it with the same endpoint and id shares one
 * stream. Optional: without it, the page has one registry of its own, created on first use in
 * the browser.
 */
export function PredictionStreamProvider(props: PredictionStreamProviderProps) {
  const [own] = useState(() => props.registry ?? new PredictionStreamRegistry())
  return (
    <RegistryContext.Provider value={props.registry ?? own}>
      {props.children}
    </RegistryContext.Provider>
  )
}

/**
 * The registry that `usePredictionStream({ predictionId })` shares streams through: the
 * nearest provider's, else the page's. `undefined` during a server render, which must create
 * nothing that outlives it (each request would otherwise leave entries behind).
 */
export function useRegistry(): PredictionStreamRegistry | undefined {
  const provided = useContext(RegistryContext)
  if (typeof document === 'undefined') return undefined
  return provided ?? pageRegistry()
}

const PAGE_REGISTRY = Symbol.for('react-prediction-stream.registry')

/**
 * The page's own registry, created on first use and kept on the page's global object rather
 * than in module state: only a browser page ever calls this, and a module reloaded by a dev
 * server keeps the streams its components share.
 */
export function pageRegistry(): PredictionStreamRegistry {
  const page = globalThis as { [PAGE_REGISTRY]?: PredictionStreamRegistry }
  return (page[PAGE_REGISTRY] ??= new PredictionStreamRegistry())
}
