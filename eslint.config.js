// ESLint flat config: a small rule set that holds over the whole repository (`pnpm lint`, run by
// .ci/run and land.sh). Syntax-only rules (no type information), so a lint run stays fast.
import tseslint from 'typescript-eslint';

const PACKAGES = ['core', 'openai', 'transformers', 'vllm', 'cli', 'experiments'];
// Library code reports through @lm-eval/core's events/loggers (log/events.ts); the CLI prints.
const LIBRARY_SOURCES = ['packages/{core,openai,transformers,vllm,experiments}/src/**/*.{ts,mts,js,mjs}', 'tasks/**/*.{ts,mts,js,mjs}'];
// Exempt: tests and their fixtures, and command-line scripts (they print by design).
const LIBRARY_EXEMPT = ['**/*.test.ts', '**/test/**', '**/fixtures/**', '**/testdata/**', 'tasks/python-port-hash.ts'];

/** Imports reaching into another workspace package's sources instead of its public entry points. */
function deepImportPatterns(ownPackage) {
  const others = PACKAGES.filter((p) => p !== ownPackage).join('|');
  return {
    patterns: [
      {
        regex: '^@lm-eval/[^/]+/(src|dist)(/|$)',
        message: "Import the package's public entry (`@lm-eval/<pkg>` or a subpath of its exports map), not its sources.",
      },
      {
        regex: `^(\\.\\./)+(packages/)?(${others})/(src|dist)(/|$)`,
        message: "Import another package through `@lm-eval/<pkg>` (its exports map), not by a relative path into its sources.",
      },
    ],
  };
}

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'docs/**', 'models/**', '.lm-eval-cache/**', 'out/**', 'tmp/**'],
  },
  {
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: 2023,
      sourceType: 'module',
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'prefer-const': 'error',
      'no-var': 'error',
      'no-restricted-imports': ['error', deepImportPatterns(null)],
    },
  },
  ...PACKAGES.map((pkg) => ({
    files: [`packages/${pkg}/**/*.{ts,mts,cts,js,mjs,cjs}`],
    rules: { 'no-restricted-imports': ['error', deepImportPatterns(pkg)] },
  })),
  {
    files: LIBRARY_SOURCES,
    ignores: LIBRARY_EXEMPT,
    rules: {
      'no-console': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.type='MemberExpression'][object.object.name='process'][object.property.name=/^(stdout|stderr)$/][property.name='write']",
          message: 'Library code does not write to stdout/stderr: emit through a Logger (createLogger from @lm-eval/core) or a callback; the CLI prints.',
        },
      ],
    },
  },
);
