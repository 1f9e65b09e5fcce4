import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadSettings } from '../../src/settings.js';

// compose.yaml cannot be run here (no Docker engine): its services, ports and commands are checked
// against what the project really has, and its settings against the service's own validation.

const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
const compose = parse(read('compose.yaml'), { merge: true }) as {
  services: Record<
    string,
    {
      command?: string[];
      environment?: Record<string, string>;
      ports?: string[];
      deploy?: { replicas?: number };
      build?: string;
      volumes?: string[];
    }
  >;
};
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
const { services } = compose;

describe('compose.yaml', () => {
  it('runs PostgreSQL, Redis, the migrations once, 2 api and 2 worker processes and one proxy', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'migrate', 'postgres', 'proxy', 'redis', 'worker']);
    expect(services.api!.command).toEqual(['node', 'dist/main.js', '--role', 'api']);
    expect(services.worker!.command).toEqual(['node', 'dist/main.js', '--role', 'worker']);
    expect(services.api!.deploy?.replicas).toBe(2);
    expect(services.worker!.deploy?.replicas).toBe(2);
  });

  it('starts what the build makes, with npm scripts that exist', () => {
    // tsconfig.build.json compiles src/ to dist/: dist/main.js comes from src/main.ts.
    const build = JSON.parse(read('tsconfig.build.json').replace(/^\s*\/\/.*$/gm, '')) as {
      compilerOptions: { rootDir: string; outDir: string };
    };
    expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(existsSync(new URL('src/main.ts', ROOT))).toBe(true);
    const dockerfile = read('Dockerfile');
    const npmRuns = [
      ...dockerfile.matchAll(/npm run ([\w:-]+)/g),
      ...services.migrate!.command!.join(' ').matchAll(/npm run ([\w:-]+)/g),
    ].map((m) => m[1]!);
    expect(npmRuns).toEqual(expect.arrayContaining(['build', 'console:build', 'db:migrate', 'db:seed']));
    for (const name of npmRuns) expect(scripts, name).toHaveProperty(name);
  });

  it('publishes one port, the proxy, which sends to the api on the port it listens on', () => {
    const published = Object.entries(services).filter(([, s]) => s.ports?.length);
    expect(published.map(([name]) => name)).toEqual(['proxy']);
    const nginx = read('deploy/nginx.conf');
    expect(services.proxy!.volumes).toContain('./deploy/nginx.conf:/etc/nginx/nginx.conf:ro');
    expect(services.proxy!.ports).toEqual([`8080:${/listen (\d+);/.exec(nginx)![1]}`]);
    const apiPort = /server api:(\d+);/.exec(nginx)![1];
    expect(Number(apiPort)).toBe(loadSettings(services.api!.environment!, []).port);
  });

  it('keeps its connections to the apis open between webhooks, and still passes WebSocket upgrades', () => {
    // A burst of night calls must not open a connection per webhook (bench/README.md, "Callers").
    const nginx = read('deploy/nginx.conf');
    const upstream = /upstream api \{([^}]*)\}/.exec(nginx)![1]!;
    expect(upstream).toMatch(/ip_hash;[\s\S]*keepalive \d+;/);
    expect(nginx).toContain('proxy_http_version 1.1;');
    expect(nginx).toMatch(/default upgrade;\s*(#.*\s*)*'' '';/);
    expect(nginx).toContain('proxy_set_header Connection $connection_upgrade;');
  });

  it('gives every process settings the service accepts, with the simulator on', () => {
    for (const name of ['api', 'worker', 'migrate']) {
      const settings = loadSettings(services[name]!.environment!, []);
      expect(settings).toMatchObject({ telephony: 'simulator', email: 'simulator' });
      expect(new URL(settings.databaseUrl).hostname).toBe('postgres');
      expect(new URL(settings.redisUrl).hostname).toBe('redis');
    }
  });
});
