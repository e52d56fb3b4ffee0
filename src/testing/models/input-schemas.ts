/**
 * Cog-like input schemas (JSON Schema, the `Input` component of a version's `openapi_schema`) of
 * the served models. Replicate validates every prediction's `input` against its model's schema
 * and answers 422 `Input validation failed` (`docs/replicate-protocol.md` §1.3), so the local
 * server does too: code that only works because nothing checked its input fails here first.
 *
 * The fields are the ones the recordings' `input` objects use (every recorded input validates, a
 * test checks it), plus the usual generation parameters of each model family. Types follow the
 * recorded values; ranges are modeled on the models' pages and are illustrative, not scraped.
 * Like Cog's schemas they do not forbid unknown properties.
 */

/** A JSON Schema object (draft 2020-12 subset). */
export type JsonSchema = Readonly<Record<string, unknown>>

const string = (description: string): JsonSchema => ({ type: 'string', description })
const integer = (description: string, minimum?: number, maximum?: number): JsonSchema => ({
  type: 'integer',
  description,
  ...(minimum === undefined ? {} : { minimum }),
  ...(maximum === undefined ? {} : { maximum }),
})
const number = (description: string, minimum?: number, maximum?: number): JsonSchema => ({
  type: 'number',
  description,
  ...(minimum === undefined ? {} : { minimum }),
  ...(maximum === undefined ? {} : { maximum }),
})
const boolean = (description: string): JsonSchema => ({ type: 'boolean', description })
/** Old image models took numbers as strings from a form (`"steps": "250"` in the recordings). */
const numericString = (description: string): JsonSchema => ({
  type: 'string',
  description,
  pattern: '^[0-9]+(\\.[0-9]+)?$',
})

function input(required: readonly string[], properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', title: 'Input', required, properties }
}

const PROMPT = string('Prompt to send to the model.')
const SAMPLING = {
  temperature: number('Randomness of the output; 0 is greedy.', 0, 5),
  top_p: number('Nucleus sampling: keep the most likely tokens up to this probability.', 0, 1),
  top_k: integer('Sample from the k most likely tokens; -1 or 0 disables it.', -1),
  seed: integer('Random seed; leave blank to randomize.'),
  stop_sequences: string('Comma-separated sequences that stop generation.'),
  prompt_template: string('Template with a {prompt} placeholder.'),
}

/** Input schema per `owner/name`. */
export const INPUT_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  'meta/meta-llama-3-8b-instruct': input(['prompt'], {
    prompt: PROMPT,
    system_prompt: string('System prompt to send to the model.'),
    max_tokens: integer('Maximum number of tokens to generate.', 1, 8192),
    min_tokens: integer('Minimum number of tokens to generate; -1 disables it.', -1, 8192),
    max_new_tokens: integer('Deprecated alias of max_tokens.', 1, 8192),
    min_new_tokens: integer('Deprecated alias of min_tokens.', -1, 8192),
    presence_penalty: number('Penalty for tokens already present.', -5, 5),
    frequency_penalty: number('Penalty proportional to token frequency.', -5, 5),
    length_penalty: number('Exponential penalty on output length.', 0, 5),
    log_performance_metrics: boolean('Log tokens per second.'),
    ...SAMPLING,
  }),
  'meta/llama-2-70b-chat': input(['prompt'], {
    prompt: PROMPT,
    system_prompt: string('System prompt to send to the model.'),
    max_new_tokens: integer('Maximum number of tokens to generate.', 1, 4096),
    min_new_tokens: integer('Minimum number of tokens to generate; -1 disables it.', -1, 4096),
    repetition_penalty: number('Penalty for repeated words; 1 is none.', 0, 5),
    debug: boolean('Print debugging information to the logs.'),
    ...SAMPLING,
  }),
  'nateraw/goliath-120b': input(['prompt'], {
    prompt: PROMPT,
    max_new_tokens: integer('Maximum number of tokens to generate.', 1, 4096),
    presence_penalty: number('Penalty for tokens already present.', -5, 5),
    frequency_penalty: number('Penalty proportional to token frequency.', -5, 5),
    ...SAMPLING,
  }),
  'jack000/glid-3-xl': input(['prompt'], {
    prompt: PROMPT,
    seed: integer('Random seed.'),
    steps: numericString('Diffusion steps.'),
    width: numericString('Image width in pixels.'),
    height: numericString('Image height in pixels.'),
    batch_size: numericString('Images per batch.'),
    guidance_scale: numericString('Classifier-free guidance scale.'),
  }),
  'nicholascelestin/glid-3': input(['prompt'], {
    prompt: PROMPT,
    batch_size: numericString('Images per batch.'),
  }),
  'nightmareai/majesty-diffusion': input(['latent_prompt'], {
    latent_prompt: string('Prompt for the latent diffusion model.'),
    clip_prompts: string('Prompts for CLIP guidance.'),
    width: integer('Image width in pixels.', 64, 2048),
    height: integer('Image height in pixels.', 64, 2048),
    clip_scale: integer('CLIP guidance scale.', 0),
    latent_scale: integer('Latent guidance scale.', 0),
    aesthetic_loss_scale: integer('Aesthetic loss scale.', 0),
  }),
  'nightmareai/disco-diffusion': input(['prompt'], {
    prompt: PROMPT,
    steps: integer('Diffusion steps.', 1, 1000),
    width: integer('Image width in pixels.', 64, 2048),
    height: integer('Image height in pixels.', 64, 2048),
    init_scale: integer('Initial image scale.', 0),
    skip_steps: integer('Steps to skip.', 0),
    range_scale: integer('Range loss scale.', 0),
    cutn_batches: integer('Cut batches.', 1),
    display_rate: integer('Yield an image every this many steps.', 1),
    target_scale: integer('Target scale.', 0),
    clip_guidance_scale: integer('CLIP guidance scale.', 0),
    RN50: boolean('Use the RN50 CLIP model.'),
    ViTB16: boolean('Use the ViT-B/16 CLIP model.'),
    ViTB32: boolean('Use the ViT-B/32 CLIP model.'),
    use_secondary_model: boolean('Use the secondary model.'),
    diffusion_model: {
      type: 'string',
      description: 'Diffusion model.',
      enum: ['512x512_diffusion_uncond_finetune_008100', '256x256_diffusion_uncond'],
    },
    diffusion_sampling_mode: {
      type: 'string',
      description: 'Sampling mode.',
      enum: ['ddim', 'plms'],
    },
  }),
  'nightmareai/k-diffusion': input(['text_prompt'], {
    text_prompt: string('Prompt.'),
    cutn: integer('Cutouts.', 1),
    churn: integer('Churn.', 0),
    cut_pow: number('Cutout size power.', 0),
    n_steps: numericString('Diffusion steps.'),
    init_scale: integer('Initial image scale.', 0),
    sigma_start: integer('Starting noise level.', 0),
    latent_scale: integer('Latent guidance scale.', 0),
    output_steps: integer('Yield an image every this many steps.', 1),
    sampling_mode: string('Sampler.'),
    clip_guidance_scale: integer('CLIP guidance scale.', 0),
  }),
  'local/echo': input(['prompt'], {
    prompt: string('Text to stream back, split before each run of whitespace.'),
    outputs: {
      type: 'array',
      description: 'Exact items to yield instead of splitting the prompt (for wire-level tests).',
      items: { type: 'string' },
    },
  }),
}
