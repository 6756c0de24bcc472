/**
 * The bootstrap form's bounds come from the API's own OpenAPI document (the limits the server
 * checks, declared once in the core's config and the API's schemas), so the page never states
 * them: the node count and the round interval take their `min` and `max` from there once the
 * page loads. If the document cannot be read the inputs stay unbounded, and the API's 400
 * still says what is wrong.
 */

/**
 * @typedef {{ minimum?: number, maximum?: number }} NumberSchema
 * @typedef {{ components?: { schemas?: Record<string, { properties?: Record<string, NumberSchema> }> } }} OpenApiDocument
 */

/**
 * @param {HTMLInputElement} input
 * @param {NumberSchema | undefined} schema
 */
function bound(input, schema) {
  if (typeof schema?.minimum === "number") input.min = String(schema.minimum);
  if (typeof schema?.maximum === "number") input.max = String(schema.maximum);
}

/**
 * Reads the OpenAPI document and bounds the inputs by it.
 * @param {{ size: HTMLInputElement, intervalMs: HTMLInputElement }} inputs
 */
export async function applyBootstrapLimits(inputs) {
  try {
    const res = await fetch("/openapi.json");
    if (!res.ok) return;
    /** @type {OpenApiDocument} */
    const doc = await res.json();
    const schemas = doc.components?.schemas ?? {};
    bound(inputs.size, schemas.BootstrapRequest?.properties?.size);
    bound(inputs.intervalMs, schemas.GossipConfigInput?.properties?.intervalMs);
  } catch {
    // Unbounded inputs; the API checks anyway.
  }
}
