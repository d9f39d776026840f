// @ts-check
import tseslint from 'typescript-eslint';

/** Layering: inner folders never import outer ones (see ../shared/ARCHITECTURE.md). */
const layers = {
  domain: ['template', 'schedule', 'engine', 'store', 'llm', 'notify', 'mcp', 'cli'],
  template: ['schedule', 'engine', 'store', 'llm', 'notify', 'mcp', 'cli'],
  schedule: ['template', 'engine', 'store', 'llm', 'notify', 'mcp', 'cli'],
  engine: ['store', 'llm', 'notify', 'mcp', 'cli'],
  store: ['llm', 'notify', 'mcp', 'cli'],
  llm: ['store', 'notify', 'mcp', 'cli'],
  notify: ['store', 'llm', 'mcp', 'cli'],
  mcp: ['cli'],
};

const layerRules = Object.entries(layers).map(([layer, forbidden]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((f) => ({
          group: [`../${f}/*`, `../../${f}/*`, `../${f}/**`, `../../${f}/**`],
          message: `src/${layer} must not import src/${f} (dependency direction, ARCHITECTURE.md)`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '*.config.*', 'eslint.config.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/require-await': 'off',
      // AbortSignal reasons are `any` by design; rejecting with them keeps the caller's reason.
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
    },
  },
  // Plain-JS scripts and benchmarks are outside the TypeScript project: lint them untyped.
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only src/cli reads process.env (one composition root).' },
      ],
    },
  },
  ...layerRules,
);
