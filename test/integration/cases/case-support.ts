import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildCaseServices, type CaseServices } from '../../../src/cases/case-services.js';
import { queueCaseEffects } from '../../../src/jobs/alert.job.js';
import { waitUntilIdle } from '../../../src/jobs/drain.js';
import type { JobName } from '../../../src/jobs/catalog.js';
import type { TestArrears } from '../../support/arrears.js';

/** The case services of a test Arrears, handing out jobs to its real queues. */
export function caseServicesOf(arrears: TestArrears): CaseServices {
  return buildCaseServices(arrears.runtime, arrears.services, queueCaseEffects(arrears.queues));
}

const QUEUES: JobName[] = ['deliver-email', 'deliver-sms', 'alert-deliver', 'alert-digest', 'case-sweep', 'credit-hold-event'];

/** Waits until every delivery-like queue is idle. */
export function drain(arrears: TestArrears): Promise<void> {
  const queues = QUEUES.map((name) => arrears.queues.queue(name));
  const retried = queues.filter((queue) => !['alert-digest', 'case-sweep'].includes(queue.name));
  return waitUntilIdle(queues, retried);
}

export async function seedUsers(arrears: TestArrears) {
  const prisma = arrears.runtime.prisma;
  const make = (email: string, name: string, role: 'collector' | 'manager' | 'admin') =>
    prisma.user.create({ data: { email, name, role } });
  return {
    collector: await make('cora@example.com', 'Cora Collector', 'collector'),
    manager: await make('mara@example.com', 'Mara Manager', 'manager'),
    admin: await make('adam@example.com', 'Adam Admin', 'admin'),
  };
}

/** A local HTTP receiver that keeps every request with its raw body. */
export class Receiver {
  readonly requests: Array<{ headers: IncomingHttpHeaders; body: string; url: string }> = [];
  status = 200;
  private constructor(private readonly server: Server) {}

  static async start(): Promise<Receiver> {
    let receiver!: Receiver;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        receiver.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), url: req.url ?? '' });
        res.statusCode = receiver.status;
        res.end();
      });
    });
    receiver = new Receiver(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return receiver;
  }

  url(path = '/'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
