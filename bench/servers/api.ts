// The real api (settings, services, app), as `npm start --role api` builds it, on a free port.
import { buildApp } from '../../src/app.js';
import { createServices } from '../../src/services.js';
import { loadSettings } from '../../src/settings.js';

const port = Number(process.env.PORT);
const settings = loadSettings(
  { ...process.env, PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'silent' },
  ['--role', 'api'],
);
const services = await createServices(settings);
// What a worker does at start-up (`npm start` runs both roles): build the phone index. Its
// duration is reported, as the benchmark's data grows.
const started = performance.now();
const indexed = await services.phoneIndex.rebuild();
process.stdout.write(`INDEXED ${indexed} ${Math.round(performance.now() - started)}\n`);
const app = await buildApp(services);
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`READY ${port}\n`);

// SIGINT ends it cleanly (a --cpu-prof profile is written on exit); a lost IPC channel means the
// benchmark itself is gone: do not outlive it.
process.on('SIGINT', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
