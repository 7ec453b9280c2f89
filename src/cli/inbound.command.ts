import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { openRuntime } from '../app/runtime.js';
import { replyDependencies } from '../app/services.js';
import { receiveEmail } from '../replies/receive.js';
import type { CommandContext } from './main.js';

async function readInput(file: string, maxBytes: number): Promise<Buffer> {
  if (file !== '-') return readFile(file);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    // Past the limit only the headers are kept; reading on would only hold memory.
    if (size > maxBytes + 1) break;
  }
  return Buffer.concat(chunks);
}

export function registerInboundCommand(program: Command, context: CommandContext): void {
  const inbound = program.command('inbound').description('Receive customer replies by hand (operators, tests).');
  inbound
    .command('email <file>')
    .description(
      'Receive one email (a .eml file, or - for standard input) as if the mailbox poller had read it; prints ' +
        '{customer, contact, classification, promisedOn, actions} as JSON.',
    )
    .action(async (file: string) => {
      const runtime = await openRuntime(context.config(), context.logger(), { redis: false });
      try {
        const raw = await readInput(file, runtime.config.replies.maxBytes);
        const outcome = await receiveEmail(await replyDependencies(runtime), { raw, source: 'cli', sourceRef: file === '-' ? null : file });
        const { customer, contact, classification, promisedOn, actions } = outcome;
        process.stdout.write(`${JSON.stringify({ customer, contact, classification, promisedOn, actions })}\n`);
      } finally {
        await runtime.lifecycle.close();
      }
    });
}
