import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';

// Finding 1, the deployment side: the mail catcher's UI (every customer email, no login) and the
// console were published on every interface, the Postgres password was `arrears`, images were
// unpinned and the example secrets were written in the file itself.
interface Service {
  image?: string;
  profiles?: string[];
  ports?: string[];
  environment?: Record<string, string> | string[];
  depends_on?: Record<string, { required?: boolean }>;
}
const compose = load(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service> };
const services = Object.entries(compose.services);
const environment = (service: Service): Record<string, string> =>
  Array.isArray(service.environment)
    ? Object.fromEntries(service.environment.map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]))
    : (service.environment ?? {});

describe('docker-compose.yml', () => {
  it.each(services)('%s publishes ports on 127.0.0.1 only', (_name, service) => {
    for (const port of service.ports ?? []) expect(String(port)).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it.each(services)('%s pins its image to a full version', (_name, service) => {
    // Postgres numbers its releases major.minor (16.6); the others major.minor.patch.
    const version = service.image?.startsWith('postgres:')
      ? /^postgres:\d+\.\d+-[a-z0-9.]+$/
      : /^[a-z0-9/._-]+:v?\d+\.\d+\.\d+(-[a-z0-9.-]+)?$/;
    expect(service.image).toMatch(version);
  });

  it('puts the mail catcher under the dev profile, and nothing requires it', () => {
    expect(compose.services.mailpit?.profiles).toEqual(['dev']);
    for (const [, service] of services) {
      const dependency = service.depends_on?.mailpit;
      if (dependency) expect(dependency.required).toBe(false);
    }
  });

  it.each(services)('%s takes every secret from .env, required, never written here', (_name, service) => {
    for (const [name, value] of Object.entries(environment(service))) {
      if (/SECRET|PASSWORD|TOKEN/.test(name) && value !== '') expect(value, name).toMatch(/^\$\{[A-Z_]+:[?-]/);
      if (/^(UNSUBSCRIBE_SECRET|SESSION_SECRET|POSTGRES_PASSWORD)$/.test(name)) expect(value, name).toMatch(/^\$\{[A-Z_]+:\?/);
    }
    const url = environment(service).DATABASE_URL;
    if (url) expect(url).toMatch(/^postgresql:\/\/arrears:\$\{POSTGRES_PASSWORD:\?[^}]*\}@/);
  });
});
