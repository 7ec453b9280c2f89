// ESLint (flat config): a few type-aware rules that catch real bugs, plus the project's layer
// rules (`arrears/layers`, defined below) and no import cycles. Formatting is Prettier's job
// (eslint-config-prettier turns off every stylistic rule). Run `npm run lint`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------
// Layers. Each import (static, `export … from`, `import type`, or `import('literal')`) is
// resolved to a repository path (relative specifiers) or a package name, and checked against
// these rules. Type-only imports count: a type from another layer is still a dependency on it.

/** Files that may build the whole program (and so may import the composition root). */
const ENTRY_POINTS = ['src/cli/', 'src/app/', 'bin/', 'test/', 'bench/', 'src/demo/run-demo.ts'];

/** Packages that talk to Postgres directly; only the data layer may import them. */
const DATABASE_PACKAGES = ['pg', 'pg-copy-streams', '@prisma/client', '@prisma/adapter-pg'];
/** Besides src/db: the embedded server's provisioning, tests, the bench, Prisma's own config. */
const DATABASE_CLIENT_ALLOWED = ['src/db/', 'src/dev/', 'test/', 'bench/', 'prisma.config.ts'];

/** Redis clients are made in one place (BullMQ's connections included); dev servers and tests may talk to Redis directly. */
const REDIS_CLIENT_ALLOWED = ['src/jobs/connection.ts', 'src/dev/', 'test/'];

/**
 * The modules that open connections and hand out `Sql` (the Prisma client's factory, `pgSql`,
 * `pgDatabase`, the pool): above src/db only their types are imported (to pass a transaction
 * through). The connections are built by the composition root.
 */
const CONNECTION_MODULES = ['src/db/client.', 'src/db/sql.', 'src/db/pool.'];
const CONNECTION_ALLOWED = ['src/db/', 'src/app/', 'src/dev/', 'test/', 'bench/'];

/** Files of src/ that may run statements: the data layer, and the embedded server's provisioning. */
const STATEMENTS_ALLOWED = ['src/db/', 'src/dev/'];
/** Prisma's raw-SQL and transaction methods. */
const PRISMA_RAW = new Set(['$queryRaw', '$queryRawUnsafe', '$executeRaw', '$executeRawUnsafe', '$transaction']);
/** Prisma's model methods, on a model delegate (`prisma.customer.findMany`). */
const PRISMA_MODEL_METHODS = new Set([
  ...['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'count', 'aggregate', 'groupBy'],
  ...['create', 'createMany', 'createManyAndReturn', 'update', 'updateMany', 'updateManyAndReturn', 'upsert', 'delete', 'deleteMany'],
]);
/** The model delegates' names (`customer`, `contactPoint`, …), read from the schema. */
const PRISMA_MODELS = new Set(
  [...readFileSync(path.join(root, 'prisma/schema.prisma'), 'utf8').matchAll(/^model (\w+) \{/gm)].map(
    ([, name]) => name[0].toLowerCase() + name.slice(1),
  ),
);

/** Why a call runs a statement, or undefined: `x.query(…)`, Prisma's raw SQL or `$transaction`, a model method. */
function statementCall(callee) {
  if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier') return undefined;
  const name = callee.property.name;
  if (name === 'query') return '`.query(…)` runs SQL';
  if (PRISMA_RAW.has(name)) return `\`${name}\` talks to Postgres directly`;
  const model =
    callee.object.type === 'MemberExpression' && callee.object.property.type === 'Identifier' ? callee.object.property.name : undefined;
  if (PRISMA_MODEL_METHODS.has(name) && model !== undefined && PRISMA_MODELS.has(model))
    return `\`${model}.${name}\` is a Prisma model call`;
  return undefined;
}

/** What the data layer may import from the rest of src (it sits under the services). */
const DB_MAY_IMPORT = ['src/db/', 'src/core/', 'src/generated/', 'src/logging/', 'src/config/'];
/** The reports' pure modules (plain rows in, figures out): the data layer reads the rows they take. */
const PURE_REPORT = /^src\/reports\/[^/]+$/;

const startsWithAny = (file, prefixes) => prefixes.some((p) => file === p || file.startsWith(p));
const packageName = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

/**
 * @param {string} file repository-relative path of the importing file
 * @param {{ spec: string, target?: string, pkg?: string }} imp target: repository-relative path
 *   of a relative import; pkg: package name of a bare one (`node:` builtins included)
 * @returns {string | undefined} why the import is not allowed
 */
function layerViolation(file, imp) {
  const { target, pkg, typeOnly } = imp;
  if (file.startsWith('src/core/')) {
    const ok = target ? target.startsWith('src/core/') : pkg === 'luxon' || pkg === 'zod';
    if (!ok) return 'src/core is the pure decision core: it imports only luxon, zod and other src/core files';
  }
  if (target?.startsWith('src/app/') && !startsWithAny(file, ENTRY_POINTS)) {
    return 'src/app is the composition root: only entry points (src/cli, bin, test, bench, the demo runner) import it; take what you need as a parameter';
  }
  const isDatabaseClient = target ? target.startsWith('src/generated/') : DATABASE_PACKAGES.includes(pkg);
  if (isDatabaseClient && !startsWithAny(file, DATABASE_CLIENT_ALLOWED)) {
    return 'only src/db talks to the database: import a repository (or a type) from src/db instead of pg / the Prisma client';
  }
  if (pkg === 'ioredis' && !startsWithAny(file, REDIS_CLIENT_ALLOWED)) {
    return 'Redis clients are made in one place: take a RedisConnection (src/jobs/connection.ts) instead of importing ioredis';
  }
  if (target && startsWithAny(target, CONNECTION_MODULES) && !typeOnly && !startsWithAny(file, CONNECTION_ALLOWED)) {
    return 'only src/db talks to the database: import a repository function; from client / sql / pool only types (to pass a transaction through), the connections are built in src/app';
  }
  if (file.startsWith('src/db/') && target?.startsWith('src/') && !startsWithAny(target, DB_MAY_IMPORT) && !PURE_REPORT.test(target)) {
    return `src/db sits under the services: it may import only ${DB_MAY_IMPORT.join(', ')} and the pure report modules; move the shared type or function down`;
  }
  if (PURE_REPORT.test(file) && target && startsWithAny(target, ['src/db/', 'src/jobs/', 'src/http/', 'src/cases/', 'src/dunning/'])) {
    return 'the report modules are pure (plain rows in, figures out): their rows come from src/reports/sources';
  }
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
const layersRule = {
  meta: { type: 'problem', docs: { description: 'Imports respect the layers of src/' }, schema: [] },
  create(context) {
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const check = (node, source) => {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const spec = source.value;
      const imp = spec.startsWith('.')
        ? { spec, target: path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)), typeOnly: isTypeOnly(node) }
        : { spec, pkg: spec.startsWith('node:') ? spec : packageName(spec) };
      const why = layerViolation(file, imp);
      if (why) context.report({ node, message: `'${spec}': ${why}.` });
    };
    const checkStatement = (node, callee) => {
      const why = statementCall(callee);
      if (why) context.report({ node, message: `${why}: only src/db talks to the database; call a repository function instead.` });
    };
    const statements =
      file.startsWith('src/') && !startsWithAny(file, STATEMENTS_ALLOWED)
        ? {
            CallExpression: (node) => checkStatement(node, node.callee),
            TaggedTemplateExpression: (node) => checkStatement(node, node.tag),
          }
        : {};
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      ...statements,
    };
  },
};

// ---------------------------------------------------------------------------------------------
// No import cycles (a cycle means half-initialised modules). Only runtime imports count: `import
// type`, type-only specifiers and dynamic `import()` do not run at load. Every file linted adds its
// edges to one graph; an edge that closes a loop is reported on the file that adds it. This needs
// one ESLint process over the whole tree (no --cache, no --concurrency), which `npm run lint` is.

/** Runtime imports between repository files: file → the files it imports. */
const importGraph = new Map();

/** The path from `from` to `to` in the graph, or undefined. */
function pathBetween(from, to, seen = new Set()) {
  if (from === to) return [to];
  if (seen.has(from)) return undefined;
  seen.add(from);
  for (const next of importGraph.get(from) ?? []) {
    const rest = pathBetween(next, to, seen);
    if (rest) return [from, ...rest];
  }
  return undefined;
}

const isTypeOnly = (node) =>
  node.importKind === 'type' ||
  node.exportKind === 'type' ||
  (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type'));

/** @type {import('eslint').Rule.RuleModule} */
const noCycleRule = {
  meta: { type: 'problem', docs: { description: 'No runtime import cycles between repository files' }, schema: [] },
  create(context) {
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.') || !spec.endsWith('.js') || isTypeOnly(node)) return;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts');
      const loop = pathBetween(target, file);
      const edges = importGraph.get(file) ?? new Set();
      edges.add(target);
      importGraph.set(file, edges);
      if (loop) context.report({ node, message: `import cycle: ${[file, ...loop].join(' → ')}` });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};

const arrears = { meta: { name: 'arrears' }, rules: { layers: layersRule, 'no-cycle': noCycleRule } };

// ---------------------------------------------------------------------------------------------

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', 'test-results/', 'scratch/', 'src/generated/'] },

  js.configs.recommended,
  ...tseslint.configs.recommended,

  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { arrears },
    rules: {
      'arrears/layers': 'error',
      'arrears/no-cycle': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      eqeqeq: ['error', 'smart'],
      // `let server; … = createServer(() => server…); server = …`: a closure reads it before the assignment.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      'no-constant-binary-expression': 'error',
      'no-self-compare': 'error',
      // The code strips NUL and other control characters on purpose.
      'no-control-regex': 'off',
      // fastify's generic route types need `any` in a few signatures; not worth a rule.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // A focused or committed `.only` silently skips every other test in the file.
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name=/^(it|test|describe)$/][property.name='only']",
          message: 'Do not commit .only: it silently skips the other tests.',
        },
      ],
    },
  },

  // Type-aware rules: the TypeScript files of the tsconfig project.
  {
    files: ['src/**/*.ts', 'bench/**/*.ts'],
    // A project of only the linted files: the type-aware rules need no program over the tests.
    languageOptions: { parserOptions: { project: './tsconfig.lint.json', tsconfigRootDir: root } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Promises in conditions and spreads; the void-return checks cost a third of the lint's time
      // (7 of ~30 s on two cores) and found nothing the floating-promises rule does not.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      // Rethrowing a caught `unknown` is fine; throwing a string or an object literal is not.
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, allowDefaultCaseForExhaustiveSwitch: true },
      ],
    },
  },

  // The decision core is pure: time comes in as an argument.
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'src/core takes time as an argument (a luxon DateTime), never new Date().',
        },
        {
          selector: "CallExpression[callee.object.name=/^(Date|DateTime)$/][callee.property.name='now']",
          message: 'src/core takes time as an argument (a luxon DateTime), never Date.now() / DateTime.now().',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'src/core is deterministic: take randomness as an argument.',
        },
      ],
    },
  },

  // Tests feed deliberately bad input (numbers beyond double precision, for one).
  {
    files: ['test/**/*.ts'],
    rules: { 'no-loss-of-precision': 'off' },
  },

  prettier,
);
