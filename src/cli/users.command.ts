import type { Command } from 'commander';
import { openRuntime } from '../app/runtime.js';
import { listApiTokens } from '../db/users.repository.js';
import { parseScopes, ROLES, API_SCOPES } from '../users/scopes.js';
import { addUser, createApiToken, disableUser, revokeApiToken, UserInputError } from '../users/user.service.js';
import type { CommandContext } from './main.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function withPrisma<T>(context: CommandContext, work: (runtime: Awaited<ReturnType<typeof openRuntime>>) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(context.config(), context.logger(), { redis: false });
  try {
    return await work(runtime);
  } catch (error) {
    if (error instanceof UserInputError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
      return undefined as T;
    }
    throw error;
  } finally {
    await runtime.lifecycle.close();
  }
}

/** `arrears users add|disable` and `arrears tokens create|list|revoke`. */
export function registerUsersCommand(program: Command, context: CommandContext): void {
  const users = program.command('users').description('Console users (collector, manager, admin).');
  users
    .command('add')
    .description('Create a user, or update the role / name / password of an existing one.')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--role <role>', ROLES.join(' | '))
    .option('--name <name>', 'display name (default: the part of the email before @)')
    .option('--password-stdin', 'read the password from standard input (otherwise the user has no password: API tokens only)')
    .option('--time-zone <zone>', 'IANA zone the console shows this user\'s times and "today" in; "default" = TICK_TZ')
    .action(async (options: { email: string; role: string; name?: string; passwordStdin?: boolean; timeZone?: string }) => {
      const password = options.passwordStdin ? await readStdin() : null;
      await withPrisma(context, async (runtime) => {
        const { user, created } = await addUser(runtime, {
          email: options.email,
          role: options.role,
          password,
          ...(options.name ? { name: options.name } : {}),
          ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone === 'default' ? null : options.timeZone }),
        });
        process.stdout.write(`${created ? 'created' : 'updated'} ${user.role} ${user.email} (${user.id})\n`);
      });
    });

  users
    .command('disable')
    .description('Disable a user: no sign-in or API token any more, and every console session ends now (`users add` enables again).')
    .requiredOption('--email <email>', 'the user to disable')
    .action(async (options: { email: string }) => {
      await withPrisma(context, async (runtime) => {
        if (!(await disableUser(runtime, options.email))) throw new UserInputError(`user: no user ${options.email}`);
        process.stdout.write(`disabled ${options.email}; their console sessions have ended\n`);
      });
    });

  const tokens = program.command('tokens').description('API tokens (hashed at rest, scoped, revocable).');
  tokens
    .command('create')
    .description(`Create a token and print it once. Scopes: ${Object.keys(API_SCOPES).join(', ')}, or all.`)
    .requiredOption('--user <email>', 'the user the token acts as (its role applies too)')
    .requiredOption('--scopes <list>', 'comma-separated scopes')
    .option('--name <name>', 'what the token is for', 'api')
    .action(async (options: { user: string; scopes: string; name: string }) => {
      const { scopes, unknown } = parseScopes(options.scopes);
      if (unknown.length > 0) {
        process.stderr.write(`scopes: unknown ${unknown.join(', ')} (known: ${Object.keys(API_SCOPES).join(', ')})\n`);
        process.exitCode = 2;
        return;
      }
      await withPrisma(context, async (runtime) => {
        const { token, record } = await createApiToken(runtime, { userEmail: options.user, name: options.name, scopes });
        process.stderr.write(
          `token ${record.prefix}… (${record.id}) for ${options.user}, scopes ${scopes.join(',')}; it is shown only now:\n`,
        );
        process.stdout.write(`${token}\n`);
      });
    });
  tokens
    .command('list')
    .description('Tokens with their prefix, user, scopes and state (never the secret).')
    .option('--user <email>', 'only this user')
    .action(async (options: { user?: string }) => {
      await withPrisma(context, async ({ prisma }) => {
        for (const t of await listApiTokens(prisma)) {
          if (options.user && t.user.email !== options.user.toLowerCase()) continue;
          process.stdout.write(
            `${t.id}  ${t.prefix}…  ${t.user.email}  ${t.name}  ${t.scopes.join(',')}  ${t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active'}\n`,
          );
        }
      });
    });
  tokens
    .command('revoke <idOrPrefix>')
    .description('Revoke a token by its id or prefix.')
    .action(async (idOrPrefix: string) => {
      await withPrisma(context, async (runtime) => {
        const count = await revokeApiToken(runtime, idOrPrefix);
        process.stdout.write(`revoked ${count} token(s)\n`);
        if (count === 0) process.exitCode = 1;
      });
    });
}
