import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import layers from './eslint/layers.js';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.aws-sam/', 'coverage/', '.speke/', 'bench-results/', 'infra/pulumi/node_modules/', 'infra/pulumi/bin/'] },
  js.configs.recommended,
  // Type-aware: every TypeScript file is linted with its type information (tsconfig.json covers
  // src, tests, scripts and eslint; bench/tsconfig.json covers bench; the project service finds each).
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      // Numbers print exactly in template literals (sizes, counts, ports); other non-strings still
      // must be converted on purpose.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `return send(...)` in a function that returns nothing, and `() => resolve()` callbacks, are
      // how this code says "do this and stop": no void value is ever used there.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true }],
    },
  },
  {
    // Tests state what a fixture holds with `!` (the KID's DRMSystem exists, the regex matched): if
    // it does not, the test fails at that line, which is the point. Production code may not (it
    // says `required(value, what)`, src/required.ts). The benchmarks are the same kind of code:
    // they run on fixtures they build, a wrong assumption stops the run at once, nothing is served.
    files: ['tests/**', 'infra/pulumi/tests/**', 'bench/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['tests/**'],
    rules: {
      // Jest's asymmetric matchers (expect.any, expect.stringMatching, …) are typed `any` by
      // @types/jest, so every expectation object that uses one is an "unsafe assignment".
      '@typescript-eslint/no-unsafe-assignment': 'off',
      // Fakes implement async ports (`get: async () => value`) without awaiting anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The template tests walk template.yaml as parsed (CloudFormation's shape, typed `Json = any` in
    // tests/template/load-template.ts on purpose): a wrong path is an expectation that fails.
    files: ['tests/template/**'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    // JavaScript (configs, .mjs scripts, the demo page's browser modules) has no type information
    // to lint with (no checkJs), and infra/pulumi is its own project whose dependencies CI installs
    // after lint: the untyped rules only.
    files: ['**/*.{js,mjs,cjs}', 'infra/pulumi/**'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // Imports run one way (eslint/layers.js, docs/architecture.md "Layering").
    files: ['src/**/*.{ts,js}', 'demo/**/*.{ts,js}'],
    plugins: { layers },
    rules: { 'layers/one-way': 'error' },
  },
);
