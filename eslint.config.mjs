// Lint: typescript-eslint recommended, plus the layering rules of docs/architecture (app vs local/, pure core/).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Anchored regexes: a gitignore-style 'stream' pattern would also block the project's own '../core/stream'.
const nodeIo = 'node:.*|fs|fs/.*|net|http|https|child_process|os|path|stream|zlib';
const azureSdks = '@azure/.*|durable-functions|pg|pg-copy-streams';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['functions/**/*.ts', 'orchestrators/**/*.ts', 'entities/**/*.ts', 'core/**/*.ts', 'connectors/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/local/**', '**/local'], message: 'The app never imports local/ (dev/test infrastructure).' }] }],
    },
  },
  {
    files: ['local/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: ['**/functions/**', '**/orchestrators/**', '**/entities/**', '**/core/**', '**/connectors/**'],
          message: 'local/ never imports the app: load it through its entry point (package.json "main").',
        }],
      }],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: `^(${nodeIo}|${azureSdks})$`, message: 'core/ is engine-free: no Azure SDK and no I/O (only zod).' },
          { group: ['**/local/**', '**/connectors/**', '**/functions/**'], message: 'core/ imports only core/ and zod.' },
        ],
      }],
      'no-restricted-globals': ['error', { name: 'Date', message: 'core/ takes time as a parameter (nowMs).' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'core/ is deterministic.' }],
    },
  },
  {
    files: ['orchestrators/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: `^(${nodeIo}|@azure/.*|pg|pg-copy-streams)$`, message: 'Orchestrators are deterministic: no I/O.' },
          { group: ['**/connectors/**', '**/local/**'], message: 'Orchestrators call activities, never connectors.' },
        ],
      }],
      'no-restricted-globals': ['error', { name: 'Date', message: 'Use context.df.currentUtcDateTime.' }],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'Use context.df.newGuid().' },
        { object: 'process', property: 'env', message: 'Config arrives as orchestration input.' }],
    },
  },
);
