// Lint is part of `npm test`. The rule that matters most: src/workflows/ stays inside Temporal's
// deterministic sandbox — no Node built-ins, no I/O libraries, only *types* from activities.
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

export const WORKFLOW_SANDBOX_RULE = {
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      paths: [
        ...builtinModules.filter((m) => !m.startsWith('_')).map((name) => ({ name, message: 'Node built-ins are not available in the workflow sandbox; do I/O in an activity.' })),
        { name: 'pg', message: 'Database access belongs in an activity.' },
        { name: 'nodemailer', message: 'Sending mail belongs in an activity.' },
        { name: 'chinese-days', message: 'The calendar is read in an activity so that a calendar update cannot change replay.' },
      ],
      patterns: [
        { group: ['node:*'], message: 'Node built-ins are not available in the workflow sandbox.' },
        { group: ['**/activities', '**/activities/*'], allowTypeImports: true, message: 'Only types may be imported from activities into workflows.' },
        { group: ['**/ledger', '**/ledger/*', '**/config', '**/workers/*', '**/client/*'], message: 'Workflows may import only @temporalio/workflow, src/domain and types.' },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', '.venv/**', 'test-artifacts/**', 'test/fixtures/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  { files: ['src/workflows/**/*.ts'], rules: WORKFLOW_SANDBOX_RULE },
  { files: ['**/*.js', '**/*.mjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
