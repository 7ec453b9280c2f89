// Real `arrears` processes (bin/arrears.js) for the benchmark and the fault suite.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/arrears.js');

export interface ArrearsProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** Resolves once the output matches; rejects when the process exits first or after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Extra node flags for the spawned workers, e.g. `ARREARS_WORKER_NODE_FLAGS="--cpu-prof --cpu-prof-dir=prof"`. */
const NODE_FLAGS = process.env.ARREARS_WORKER_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [];

export function startArrears(args: string[], env: Record<string, string>, keepOutput = 200_000): ArrearsProcess {
  const child = spawn(process.execPath, [...NODE_FLAGS, BIN, ...args], {
    env: { ...process.env, LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > keepOutput) output = output.slice(-keepOutput);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    pid: child.pid!,
    output: () => output,
    exited,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited before ${pattern}:\n${output.slice(-4000)}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${output.slice(-4000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** Peak resident set size (VmHWM) of a live process, in MB; null once it is gone. */
export function peakRssMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a live process has used so far, in seconds; null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
export async function stopArrears(proc: ArrearsProcess, graceMs = 15_000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

/** Worker environment that sends email to a local SMTP server and SMS to a local Twilio-API endpoint. */
export function localProvidersEnv(
  smtpPort: number,
  twilio: { baseUrl: string; accountSid: string; authToken: string },
): Record<string, string> {
  return {
    EMAIL_TRANSPORT: 'smtp',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtpPort),
    SMS_TRANSPORT: 'twilio',
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_FROM: '+15005550006',
    TWILIO_API_BASE_URL: twilio.baseUrl,
  };
}
