import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'coverage/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      // Node's globals (the `globals` package would be one more dependency for one list).
      globals: Object.fromEntries(
        [
          'process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'AbortController', 'AbortSignal',
          'fetch', 'Response', 'Request', 'Headers', 'FormData', 'Blob', 'TextEncoder', 'TextDecoder',
          'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate',
          'queueMicrotask', 'structuredClone', 'performance', 'crypto', 'global', 'globalThis'
        ].map((name) => [name, 'readonly'])
      )
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
    }
  }
)
