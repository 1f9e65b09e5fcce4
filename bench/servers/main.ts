// src/main.ts as shipped (`--role` from the command line), in a benchmark's child process. When
// the benchmark's IPC channel closes (it ended, or died without cleaning up), main's own clean
// stop runs (SIGTERM), so a server never outlives its benchmark.
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
await import('../../src/main.js');
