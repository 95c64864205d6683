// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert',
  'async_hooks',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'timers/promises',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

/**
 * The layers, lowest first (DESIGN.md §10). A file may import its own layer
 * and the layers below it, never one above: domain/ is pure, runtime/ is
 * process plumbing, stores/ is storage, events/ records and delivers domain
 * events, reports/ keeps report rollups and answers report queries, routing/ decides seats, messaging/ is
 * the chat fast path, channels/ are the ways shoppers reach us and we
 * reach them (web, API, email), activities/ are the workflows' side effects, wiring/
 * builds the shared parts, workers/ and api/ are the processes. workflows/
 * sits beside activities (it imports domain/ and activities by type only,
 * guarded below), so nothing under it may import it either.
 */
const layers = [
  'domain',
  'runtime',
  'stores',
  'events',
  'reports',
  'routing',
  'messaging',
  'channels',
  'activities',
  'wiring',
  'workers',
  'api',
];

/**
 * A folder's imports of the given folders, at any depth of the folder, are refused.
 * @param {string} layer
 * @param {string[]} forbidden
 * @param {string} [why] the message, when the reason is not "lower layer"
 */
function boundary(layer, forbidden, why) {
  const group = forbidden.flatMap((folder) =>
    ['../', '../../', '../../../'].flatMap((up) => [`${up}${folder}`, `${up}${folder}/*`]),
  );
  return {
    files: [`${layer}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group,
              message:
                why ??
                `${layer}/ is below ${forbidden.join('/, ')}/: no import runs from a lower layer to a higher one (DESIGN.md §10).`,
            },
          ],
        },
      ],
    },
  };
}

/**
 * Every layer above the given one, and workflows/ for the layers below activities/.
 * @param {string} layer
 */
const above = (layer) => {
  const higher = layers.slice(layers.indexOf(layer) + 1);
  return layers.indexOf(layer) < layers.indexOf('activities') ? [...higher, 'workflows'] : higher;
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.data/**',
      'coverage/**',
      'test-output/**',
      'console/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.mjs', '*.js', 'bench/support/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code is replayed: it must be deterministic. Only the workflow
    // API, domain/ and sibling workflow modules; activities by type only.
    files: ['workflows/**/*.ts', 'bench/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'Node built-ins are not allowed in workflow code.',
            })),
            ...[
              '@temporalio/client',
              '@temporalio/worker',
              '@temporalio/activity',
              'mongodb',
              'redis',
              'express',
              'socket.io',
              '@socket.io/redis-emitter',
              '@socket.io/redis-adapter',
            ].map((name) => ({
              name,
              message: 'I/O libraries are not allowed in workflow code: use an activity.',
            })),
          ],
          patterns: [
            { group: ['node:*'], message: 'Node built-ins are not allowed in workflow code.' },
            {
              group: ['../stores/*', '../runtime/*', '../api/*', '../messaging/*', '../workers/*'],
              message: 'Workflow code imports only domain/ and the workflow API.',
            },
            {
              // The same from workflows/session/.
              group: [
                '../../stores/*',
                '../../runtime/*',
                '../../api/*',
                '../../messaging/*',
                '../../workers/*',
                '../../routing/*',
                '../../wiring/*',
                '../../events/*',
                '../../reports/*',
              ],
              message: 'Workflow code imports only domain/ and the workflow API.',
            },
            {
              group: ['../activities', '../activities/*', '../../activities', '../../activities/*'],
              allowTypeImports: true,
              message:
                'Import activities with `import type` and call them through proxyActivities.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...[
          'setTimeout',
          'setInterval',
          'setImmediate',
          'clearTimeout',
          'clearInterval',
          'process',
          'require',
          'fetch',
        ].map((name) => ({
          name,
          message: `${name} is not deterministic or not available in workflow code: use sleep()/condition() from @temporalio/workflow.`,
        })),
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Use uuid4() or workflow inputs for randomness.',
        },
      ],
    },
  },
  {
    // The engine's Temporal connections hold a call context only synchronously
    // (runtime/temporal-connection.ts): a scope whose callback awaits before its
    // call would silently lose its deadline or metadata.
    files: ['**/*.ts'],
    ignores: ['test/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'CallExpression > MemberExpression.callee > Identifier.property[name=/^with(Deadline|Metadata|AbortSignal|ApiKey)$/]',
          message:
            'The Temporal call context does not survive an await here: pass what you need in the call instead (see runtime/temporal-connection.ts).',
        },
      ],
    },
  },
  // Layer boundaries: runtime/ imports only domain/ and libraries; stores/
  // none of routing/, messaging/, workflows/, api/; and so on up (see `layers`).
  // domain/ and workflows/ have their own, stricter rules below and above.
  ...[
    'runtime',
    'stores',
    'events',
    'reports',
    'routing',
    'messaging',
    'channels',
    'activities',
    'wiring',
  ].map((layer) => boundary(layer, above(layer))),
  // The two processes are siblings on top: each is built from wiring/ and the
  // layers below, neither from the other (a worker must not start a gateway).
  ...[
    ['workers', 'api'],
    ['api', 'workers'],
  ].map(([layer, other]) =>
    boundary(
      layer,
      [other],
      `${layer}/ and ${other}/ are the two processes: each is built from wiring/ and the layers below, never from the other (DESIGN.md §10).`,
    ),
  ),
  {
    // domain/ is pure: rules and types with no I/O, importable from anywhere.
    files: ['domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', ...nodeBuiltins], message: 'domain/ is pure: no Node built-ins.' },
            {
              group: ['../*', '@temporalio/*', 'mongodb', 'redis', 'express', 'socket.io'],
              message: 'domain/ imports nothing but zod and itself.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly' },
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
