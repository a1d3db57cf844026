import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// lambda/core is the pure half of the Lambdas, the CLI and synth: it computes from values it is handed, so it is
// tested without mocks and runs anywhere. AWS, files, processes, the network, env and the clock belong to
// lambda/aws (adapters) or lambda/handlers, which pass what they read in.
const CORE_IS_PURE = 'lambda/core is pure (no AWS, no I/O, no clock, no env): do this in lambda/aws or a handler and pass the result in.';
const NODE_IO = [
  'fs',
  'fs/promises',
  'child_process',
  'net',
  'http',
  'https',
  'http2',
  'dgram',
  'dns',
  'dns/promises',
  'tls',
  'readline',
  'worker_threads',
  'cluster',
  'os',
  'process',
  'timers',
  'timers/promises',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'dist/', '.venv/', 'coverage/', 'demo-output/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-console': 'off',
    },
  },
  {
    files: ['lambda/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['aws-cdk-lib', 'constructs', ...NODE_IO.flatMap((m) => [m, `node:${m}`])].map((name) => ({
            name,
            message: CORE_IS_PURE,
          })),
          patterns: [{ group: ['@aws-sdk/*', '@smithy/*', '@aws-lambda-powertools/*', 'aws-cdk-lib/*'], message: CORE_IS_PURE }],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: CORE_IS_PURE },
        { object: 'Date', property: 'now', message: CORE_IS_PURE },
      ],
      'no-restricted-syntax': [
        'error',
        // new Date(ms) is fine; without an argument it reads the clock, and so does Date() called as a function.
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: CORE_IS_PURE },
        { selector: "CallExpression[callee.name='Date']", message: CORE_IS_PURE },
        // Neither goes through the import rule above.
        { selector: 'ImportExpression', message: CORE_IS_PURE },
        { selector: "CallExpression[callee.name='require']", message: CORE_IS_PURE },
      ],
    },
  },
);
