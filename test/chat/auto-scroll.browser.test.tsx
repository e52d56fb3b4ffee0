/**
 * useAutoScroll in Chromium's real layout: it follows growing content, stops when the person
 * scrolls up, and follows again from "Jump to latest".
 */
import { useState } from 'react'
import { describe, expect, it } from 'vitest'
import { page, userEvent } from 'vitest/browser'
import { render } from 'vitest-browser-react'
import { useAutoScroll } from '../../src/index'

function Thread() {
  const [lines, setLines] = useState(30)
  const { ref, pinned, scrollToBottom } = useAutoScroll<HTMLDivElement>()
  return (
    <>
      <div ref={ref} data-testid="thread" style={{ height: 200, overflowY: 'auto' }}>
        {Array.from({ length: lines }, (_, index) => (
          <p key={index} style={{ margin: 0, height: 20 }}>
            Line {index}
          </p>
        ))}
      </div>
      <button type="button" onClick={() => setLines((count) => count + 5)}>
        More
      </button>
      <button type="button" onClick={scrollToBottom}>
        Jump to latest
      </button>
      <output>{pinned ? 'following' : 'paused'}</output>
    </>
  )
}

const thread = () => document.querySelector<HTMLElement>('[data-testid="thread"]')!
const distanceToBottom = () => thread().scrollHeight - thread().scrollTop - thread().clientHeight

describe('useAutoScroll', () => {
  it('follows new content until the person scrolls up, and again after Jump to latest', async () => {
    await render(<Thread />)
    await expect.poll(distanceToBottom).toBe(0)
    await userEvent.click(page.getByRole('button', { name: 'More' }))
    await expect.poll(distanceToBottom).toBe(0)
    expect(thread().scrollHeight).toBe(35 * 20)

    // The person scrolls up to read: new content no longer moves the view.
    thread().scrollTop = 100
    await expect.element(page.getByRole('status')).toHaveTextContent('paused')
    await userEvent.click(page.getByRole('button', { name: 'More' }))
    await expect.poll(() => thread().scrollHeight).toBe(40 * 20)
    expect(thread().scrollTop).toBe(100)

    await userEvent.click(page.getByRole('button', { name: 'Jump to latest' }))
    await expect.element(page.getByRole('status')).toHaveTextContent('following')
    expect(distanceToBottom()).toBe(0)
    await userEvent.click(page.getByRole('button', { name: 'More' }))
    await expect.poll(distanceToBottom).toBe(0)
  })
})
