/**
 * The prompt templates against the formats Meta publishes, written out in full:
 * - Llama 3 instruct: https://www.llama.com/docs/model-cards-and-prompt-formats/meta-llama-3/
 *   (a header per message, `\n\n` after each header, `<|eot_id|>` after each message, and the
 *   prompt ending with the assistant's header);
 * - Llama 2 chat: https://huggingface.co/blog/llama2#how-to-prompt-llama-2 (`<s>[INST]`, the
 *   system prompt in `<<SYS>>` inside the first instruction, `</s>` after each answer).
 */
import { describe, expect, it } from 'vitest'
import {
  InvalidOptionsError,
  llama2Chat,
  llama3Instruct,
  plainPrompt,
  resolveTemplate,
  templateForModel,
} from '../../src/core/index'

const SYSTEM = 'You are a helpful AI assistant for travel tips and recommendations'
const conversation = [
  { role: 'user', content: "What is France's capital?" },
  // Answers arrive with the model's leading newlines; Meta's reference code strips contents.
  { role: 'assistant', content: '\n\nBonjour! The capital of France is Paris!' },
  { role: 'user', content: 'What can I do there?' },
] as const

describe('llama-3-instruct', () => {
  it('formats one question with a system prompt as Meta publishes it', () => {
    expect(llama3Instruct([conversation[0]], { systemPrompt: SYSTEM })).toEqual({
      prompt:
        '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n' +
        'You are a helpful AI assistant for travel tips and recommendations<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\n' +
        "What is France's capital?<|eot_id|>" +
        '<|start_header_id|>assistant<|end_header_id|>\n\n',
      // Replicate must not wrap the formatted prompt in its own template again.
      prompt_template: '{prompt}',
    })
  })

  it('formats a conversation, each answer ended by <|eot_id|>', () => {
    expect(llama3Instruct(conversation, { systemPrompt: SYSTEM }).prompt).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n' +
        'You are a helpful AI assistant for travel tips and recommendations<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\n' +
        "What is France's capital?<|eot_id|>" +
        '<|start_header_id|>assistant<|end_header_id|>\n\n' +
        'Bonjour! The capital of France is Paris!<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\n' +
        'What can I do there?<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\n',
    )
  })

  it('leaves the system header out without a system prompt', () => {
    expect(llama3Instruct([conversation[0]], { systemPrompt: undefined }).prompt).toBe(
      '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n' +
        "What is France's capital?<|eot_id|>" +
        '<|start_header_id|>assistant<|end_header_id|>\n\n',
    )
  })
})

describe('llama-2-chat', () => {
  it('formats one question with a system prompt as the Llama 2 post shows it', () => {
    expect(llama2Chat([conversation[0]], { systemPrompt: SYSTEM })).toEqual({
      prompt:
        '<s>[INST] <<SYS>>\n' +
        'You are a helpful AI assistant for travel tips and recommendations\n' +
        '<</SYS>>\n\n' +
        "What is France's capital? [/INST]",
      prompt_template: '{prompt}',
    })
  })

  it('formats a conversation: the system prompt once, each exchange in <s>…</s>', () => {
    expect(llama2Chat(conversation, { systemPrompt: SYSTEM }).prompt).toBe(
      '<s>[INST] <<SYS>>\n' +
        'You are a helpful AI assistant for travel tips and recommendations\n' +
        '<</SYS>>\n\n' +
        "What is France's capital? [/INST] Bonjour! The capital of France is Paris! </s>" +
        '<s>[INST] What can I do there? [/INST]',
    )
  })

  it('formats a question without a system prompt', () => {
    expect(llama2Chat([conversation[0]], { systemPrompt: undefined }).prompt).toBe(
      "<s>[INST] What is France's capital? [/INST]",
    )
  })

  it('keeps user and assistant alternating, starting with the user', () => {
    const turns = [
      { role: 'assistant', content: 'Hello! How can I help?' },
      { role: 'user', content: 'First question' },
      { role: 'user', content: 'Second question' },
    ] as const
    expect(llama2Chat(turns, { systemPrompt: undefined }).prompt).toBe(
      '<s>[INST] First question\n\nSecond question [/INST]',
    )
  })
})

describe('plain', () => {
  it('sends only the latest question, and the system prompt as system_prompt', () => {
    expect(plainPrompt(conversation, { systemPrompt: SYSTEM })).toEqual({
      prompt: 'What can I do there?',
      system_prompt: SYSTEM,
    })
    expect(plainPrompt(conversation, { systemPrompt: undefined })).toEqual({
      prompt: 'What can I do there?',
    })
  })
})

describe('choosing a template', () => {
  it('follows the model name', () => {
    expect(templateForModel('meta/meta-llama-3-8b-instruct')).toBe('llama-3-instruct')
    expect(templateForModel('meta/meta-llama-3-70b-instruct')).toBe('llama-3-instruct')
    expect(templateForModel('meta/meta-llama-3.1-405b-instruct')).toBe('llama-3-instruct')
    expect(templateForModel('meta/llama-2-70b-chat')).toBe('llama-2-chat')
    expect(templateForModel('meta/llama-2-7b-chat')).toBe('llama-2-chat')
    // Base models are not chat models: their prompt is sent as it is.
    expect(templateForModel('meta/meta-llama-3-8b')).toBe('plain')
    expect(templateForModel('meta/llama-2-70b')).toBe('plain')
    expect(templateForModel('nateraw/goliath-120b')).toBe('plain')
    expect(templateForModel(undefined)).toBe('plain')
  })

  it('takes a name or a function, and refuses an unknown name', () => {
    const own = () => ({ prompt: 'mine' })
    expect(resolveTemplate(own, 'meta/llama-2-70b-chat')).toBe(own)
    expect(resolveTemplate('llama-2-chat', 'meta/meta-llama-3-8b-instruct')).toBe(llama2Chat)
    expect(resolveTemplate(undefined, 'meta/meta-llama-3-8b-instruct')).toBe(llama3Instruct)
    expect(() => resolveTemplate('llama-4' as never, undefined)).toThrow(InvalidOptionsError)
  })
})
