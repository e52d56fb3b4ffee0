import { isValidElement, type ComponentProps, type ReactNode } from 'react'
import { Markdown, Source } from '@storybook/addon-docs/blocks'

/**
 * The repository's Markdown files published as Storybook docs pages, by path, with the id of the
 * page (from its `<Meta title>`). A link between two of them opens the other page; a link to any
 * other file of the repository shows as its text, since Storybook does not serve the repository.
 */
export const GUIDE_PAGES: Readonly<Record<string, string>> = {
  'README.md': 'guides-introduction--docs',
  'CONTRIBUTING.md': 'guides-contributing--docs',
  'docs/README.md': 'guides-about-the-notes--docs',
  'docs/design.md': 'guides-design--docs',
  'docs/security.md': 'guides-security--docs',
  'docs/api.md': 'guides-api-reference--docs',
  'docs/chat.md': 'guides-chat-ui--docs',
  'docs/nextjs-chat.md': 'guides-chat-in-next-js--docs',
  'docs/replicate-protocol.md': 'guides-replicate-protocol--docs',
  'docs/sse-transport.md': 'guides-sse-transport--docs',
  'docs/toolchain.md': 'guides-toolchain--docs',
}

/** The repository path a link in `source` points at, or `undefined` for another site. */
export function repositoryPath(href: string, source: string): string | undefined {
  if (/^[a-z][a-z\d+.-]*:/i.test(href) || href.startsWith('#')) return undefined
  const url = new URL(href, `https://repository.invalid/${source}`)
  return url.host === 'repository.invalid' ? decodeURIComponent(url.pathname.slice(1)) : undefined
}

type Language = NonNullable<ComponentProps<typeof Source>['language']>

/** A fence's info string (`sh`, `ts`, …) as a language Storybook's highlighter knows. */
const LANGUAGES: Readonly<Record<string, Language>> = {
  sh: 'bash',
  bash: 'bash',
  shell: 'bash',
  ts: 'typescript',
  typescript: 'typescript',
  tsx: 'tsx',
  js: 'jsx',
  jsx: 'jsx',
  json: 'json',
  yaml: 'yml',
  yml: 'yml',
  css: 'css',
  html: 'html',
  md: 'md',
}

/** A fenced code block, highlighted and copyable like the code of Storybook's own docs. */
function CodeBlock({ children }: { children?: ReactNode }) {
  const code = isValidElement<{ className?: string; children?: ReactNode }>(children)
    ? children.props
    : { children }
  const fence = /(?:^|\s)lang-([\w-]+)/.exec(code.className ?? '')?.[1] ?? ''
  const text = String(code.children ?? '').replace(/\n$/, '')
  return <Source code={text} language={LANGUAGES[fence] ?? 'text'} dark />
}

/** One Markdown file of the repository as a docs page; `source` is its repository path. */
export function Guide({ markdown, source }: { markdown: string; source: string }) {
  function Link(props: { href?: string; title?: string; children?: ReactNode }) {
    const href = props.href ?? ''
    const path = repositoryPath(href, source)
    if (path === undefined) {
      return (
        <a href={href} title={props.title} target="_top" rel="noreferrer">
          {props.children}
        </a>
      )
    }
    const page = GUIDE_PAGES[path]
    if (!page) return <span title={`${path} in the repository`}>{props.children}</span>
    // The docs page renders in Storybook's preview frame: open the page in the whole window.
    return (
      <a href={`./?path=/docs/${page}`} title={props.title} target="_top">
        {props.children}
      </a>
    )
  }
  return (
    <Markdown options={{ disableParsingRawHTML: true, overrides: { a: Link, pre: CodeBlock } }}>
      {markdown}
    </Markdown>
  )
}
