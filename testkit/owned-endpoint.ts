/** Where owned-route-plugin.ts mounts the Chromium tests' route handler with `authorize`. */
export const OWNED_ENDPOINT = '/api/owned-predictions'
