import { Haiku } from './haiku'

// A server component: the page is prerendered by `next build`, the client component included.
export default function Page() {
  return (
    <main>
      <h1>A haiku, streamed</h1>
      <Haiku />
    </main>
  )
}
