import type { ReactNode } from 'react'

export const metadata = {
  title: 'react-prediction-stream with Next.js',
  // No favicon to fetch (a request for a missing one is a 404 in the console).
  icons: { icon: 'data:,' },
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', maxWidth: '40rem', margin: '2rem auto' }}>
        {children}
      </body>
    </html>
  )
}
