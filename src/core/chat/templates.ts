import { InvalidOptionsError } from '../errors'

/** One turn of the history a template formats. */
export interface ChatTurn {
  /** Who wrote it: the person (`'user'`) or the model (`'assistant'`). */
  readonly role: 'user' | 'assistant'
  /** Its text, verbatim (templates strip it as the model's format requires). */
  readonly content: string
}

/**
 * Turns the history (oldest first, ending with the user message to answer) into the fields of
 * the prediction's input: `prompt` and, as the model needs them, `system_prompt` and
 * `prompt_template`. Pure: the same history always gives the same input.
 */
export type PromptTemplate = (
  turns: readonly ChatTurn[],
  context: { readonly systemPrompt: string | undefined },
) => Record<string, unknown>

/** The built-in templates; see {@link PROMPT_TEMPLATES}. */
export type PromptTemplateName = 'llama-3-instruct' | 'llama-2-chat' | 'plain'

/**
 * Replicate wraps `prompt` in the model's own template (its `prompt_template` input, with a
 * `{prompt}` placeholder) unless told otherwise. A prompt that already holds the whole
 * formatted history must go through as it is.
 */
const VERBATIM = '{prompt}'

/**
 * Meta Llama 3 instruct: a header per message, each message ended by `<|eot_id|>`, contents
 * stripped as Meta's reference tokenizer does, and the prompt ending with the assistant's
 * header for the model to continue
 * (https://www.llama.com/docs/model-cards-and-prompt-formats/meta-llama-3/).
 */
export const llama3Instruct: PromptTemplate = (turns, { systemPrompt }) => {
  const header = (role: string) => `<|start_header_id|>${role}<|end_header_id|>\n\n`
  let prompt = '<|begin_of_text|>'
  if (systemPrompt) prompt += `${header('system')}${systemPrompt.trim()}<|eot_id|>`
  for (const turn of turns) prompt += `${header(turn.role)}${turn.content.trim()}<|eot_id|>`
  prompt += header('assistant')
  return { prompt, prompt_template: VERBATIM }
}

/**
 * Meta Llama 2 chat: `[INST] … [/INST]` around each user message, each exchange in
 * `<s>…</s>`, the system prompt in `<<SYS>>` inside the first instruction
 * (https://huggingface.co/blog/llama2#how-to-prompt-llama-2). The format needs user and
 * assistant to alternate, starting with the user: consecutive messages of one role are joined
 * by a blank line, and an answer before any question is dropped.
 */
export const llama2Chat: PromptTemplate = (turns, { systemPrompt }) => {
  let prompt = ''
  let system = systemPrompt ? `<<SYS>>\n${systemPrompt.trim()}\n<</SYS>>\n\n` : ''
  for (const turn of alternating(turns)) {
    if (turn.role === 'user') {
      prompt += `<s>[INST] ${system}${turn.content} [/INST]`
      system = ''
    } else {
      prompt += ` ${turn.content} </s>`
    }
  }
  return { prompt, prompt_template: VERBATIM }
}

/**
 * Only the latest user message as `prompt` (and `systemPrompt` as `system_prompt`): for models
 * whose own template is right and that keep no history. Earlier turns are not sent.
 */
export const plainPrompt: PromptTemplate = (turns, { systemPrompt }) => {
  const last = [...turns].reverse().find((turn) => turn.role === 'user')
  return {
    prompt: last?.content ?? '',
    ...(systemPrompt ? { system_prompt: systemPrompt } : {}),
  }
}

/** The built-in templates by name. */
export const PROMPT_TEMPLATES: Readonly<Record<PromptTemplateName, PromptTemplate>> = {
  'llama-3-instruct': llama3Instruct,
  'llama-2-chat': llama2Chat,
  plain: plainPrompt,
}

/**
 * The template a model's name implies: `meta/meta-llama-3-8b-instruct` (and 3.x instruct
 * models, which share the format) → `'llama-3-instruct'`, `meta/llama-2-70b-chat` →
 * `'llama-2-chat'`, anything else (or no name) → `'plain'`.
 */
export function templateForModel(model: string | undefined): PromptTemplateName {
  if (model && /^meta\/meta-llama-3(\.\d+)?-[\w.-]+-instruct$/.test(model)) {
    return 'llama-3-instruct'
  }
  if (model && /^meta\/llama-2-[\w.-]+-chat$/.test(model)) return 'llama-2-chat'
  return 'plain'
}

/**
 * The template to use: `template` itself when it is a function, the built-in it names, or the
 * one `model` implies.
 *
 * @throws {@link InvalidOptionsError} for a name that is not a built-in template.
 */
export function resolveTemplate(
  template: PromptTemplateName | PromptTemplate | undefined,
  model: string | undefined,
): PromptTemplate {
  if (typeof template === 'function') return template
  const name = template ?? templateForModel(model)
  const found = PROMPT_TEMPLATES[name]
  if (!found) {
    throw new InvalidOptionsError(
      `\`template\` must be a function or one of ${Object.keys(PROMPT_TEMPLATES).join(', ')}, got "${String(name)}"`,
    )
  }
  return found
}

/** Stripped turns, starting with the user, alternating (see {@link llama2Chat}). */
function alternating(turns: readonly ChatTurn[]): ChatTurn[] {
  const result: ChatTurn[] = []
  for (const turn of turns) {
    const content = turn.content.trim()
    const last = result.at(-1)
    if (!last && turn.role === 'assistant') continue
    if (last?.role === turn.role) {
      result[result.length - 1] = { role: turn.role, content: `${last.content}\n\n${content}` }
    } else result.push({ role: turn.role, content })
  }
  return result
}
