// `npm run size` (part of `npm test`, after the build): the budget for what a React app ships
// from `dist/`, dependencies included, React excluded (a peer dependency), minified and
// brotlied. Bundled as ES modules, as apps bundle it, so the number matches `npm run bench`'s
// bundle table. The goal is 8 kB; the limit is today's size rounded up, so it can only shrink.
export default [
  {
    name: 'react-prediction-stream: usePredictionStream + StreamingText',
    path: 'dist/index.js',
    import: '{ usePredictionStream, StreamingText }',
    ignore: ['react-dom'],
    limit: '14 kB',
    modifyEsbuildConfig: (config) => ({ ...config, format: 'esm', platform: 'browser' }),
  },
]
