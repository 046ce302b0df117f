import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import layers from './eslint/layers.js';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.aws-sam/', 'coverage/', '.speke/', 'bench-results/', 'infra/pulumi/node_modules/', 'infra/pulumi/bin/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Imports run one way (eslint/layers.js, README "Layout").
    files: ['src/**/*.{ts,js}', 'demo/**/*.{ts,js}'],
    plugins: { layers },
    rules: { 'layers/one-way': 'error' },
  },
);
