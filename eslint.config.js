import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import storybook from 'eslint-plugin-storybook'

export default tseslint.config(
  {
    ignores: [
      'dist',
      'storybook-static',
      'coverage',
      'node_modules',
      '!.storybook',
      // The examples' installs and builds (test/examples).
      'examples/.cache',
      'examples/*/.next',
      'examples/*/dist',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The core is framework-free (docs/design.md, "Layout"): it must run in Node and in any UI
    // framework.
    files: ['src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['react', 'react-dom'],
          patterns: ['react/*', '../react/*', '../server/*', '../testing/*'],
        },
      ],
    },
  },
  {
    // Browser code must never pull in the token-holding handler or node:http server.
    files: ['src/react/**', 'src/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['../server/*', '../testing/*', './server/*', './testing/*', 'node:*'] },
      ],
    },
  },
  ...storybook.configs['flat/recommended'],
)
