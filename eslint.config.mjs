// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const APPS = ['pos-ingest', 'loyalty-api', 'coupon-engine'];

// Libraries are imported through their alias only, never by path or deep import.
const libraryPaths = {
  group: ['**/libs/**', '@loyalty/*/**'],
  message: 'Import libraries through their alias, e.g. @loyalty/domain.',
};

// Libraries know no app's schema: SQL on an app's tables lives in that app (or a named query of
// the app that reads them).
const SCHEMA_NAME = '/(?<![\\w-])(ingest|coupons|loyalty)\\.[a-z_]+/';
const noSchemaNames = [
  { selector: `Literal[value=${SCHEMA_NAME}]`, message: 'No app schema inside libs/.' },
  { selector: `TemplateElement[value.raw=${SCHEMA_NAME}]`, message: 'No app schema inside libs/.' },
];

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      '.demo/',
      'eslint.config.mjs',
      'jest.config.js',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  // An app never imports another app.
  ...APPS.map((app) => ({
    files: [`apps/${app}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            libraryPaths,
            ...APPS.filter((other) => other !== app).map((other) => ({
              group: [`**/${other}/**`],
              message: 'Apps never import another app; share through libs or Kafka events.',
            })),
          ],
        },
      ],
    },
  })),
  // libs/domain is pure TypeScript: no framework, no I/O, no hidden clock or randomness.
  {
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            libraryPaths,
            {
              group: [
                '@nestjs/*',
                'typeorm',
                'kafkajs',
                'class-validator',
                'class-transformer',
                'pg',
                '@loyalty/*',
                'node:fs',
                'node:net',
                'node:http',
              ],
              message: 'libs/domain is framework-free and does no I/O.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time arrives as an argument.' },
        { object: 'Math', property: 'random', message: 'Randomness arrives as an argument.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Time arrives as an argument.',
        },
        ...noSchemaNames,
      ],
    },
  },
  {
    files: ['libs/domain/**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [libraryPaths] }] },
  },
  {
    files: ['libs/kafka/**/*.ts', 'libs/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            libraryPaths,
            { group: ['**/apps/**'], message: 'Libraries never import apps.' },
          ],
        },
      ],
      'no-restricted-syntax': ['error', ...noSchemaNames],
    },
  },
);
