import type { Command } from 'commander';
import { Lifecycle } from '../app/lifecycle.js';
import { RedisConnection } from '../jobs/connection.js';
import { jobCatalog, type JobName } from '../jobs/catalog.js';
import { Queues } from '../jobs/queues.js';
import type { CommandContext } from './main.js';

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

export function registerQueuesCommand(program: Command, context: CommandContext): void {
  program
    .command('queues')
    .description("Show job counts per queue (REDIS_URL or REDIS_CLUSTER_NODES must name the running workers' Redis).")
    .option('--failed', 'also list the most recent failed jobs with their reason')
    .action(async (options: { failed?: boolean }) => {
      const config = context.config();
      if (!config.redis) throw new Error('set REDIS_URL or REDIS_CLUSTER_NODES to the Redis your workers use (see `arrears stack`)');
      const lifecycle = new Lifecycle(context.logger(), { graceSeconds: config.shutdownGraceSeconds });
      try {
        const redis = lifecycle.adopt('redis', new RedisConnection(config.redis, config.queue.prefix), (r) => r.close());
        const queues = new Queues(redis, lifecycle);
        for (const name of Object.keys(jobCatalog) as JobName[]) {
          const counts = await queues.queue(name).getJobCounts(...STATES);
          process.stdout.write(`${name.padEnd(14)} ${STATES.map((s) => `${s} ${counts[s] ?? 0}`).join('  ')}\n`);
          if (!options.failed) continue;
          for (const job of await queues.queue(name).getFailed(0, 9)) {
            process.stdout.write(`  failed ${job.id} after ${job.attemptsMade} attempts: ${job.failedReason}\n`);
          }
        }
      } finally {
        await lifecycle.close();
      }
    });
}
