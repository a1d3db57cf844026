/**
 * Starts moto server (the AWS API emulator of the test ground) from the project's .venv on a free loopback port.
 * No jest imports: jest's globalSetup uses it, and so can any script (demo, bench).
 *
 *   const moto = await startMoto();
 *   process.env.AWS_ENDPOINT_URL = moto.endpoint;   // real SDK clients now talk to moto
 *   ...
 *   await moto.stop();
 *
 * The child is killed when this process exits (also on SIGINT/SIGTERM/SIGHUP) even if stop() is never called.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, createWriteStream, WriteStream } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

export interface MotoServer {
  /** e.g. `http://127.0.0.1:40123`: use as AWS_ENDPOINT_URL or a client's `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Kills the server (SIGTERM, then SIGKILL after 5 s) and resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** Fixed port; default: a free one picked by the OS. */
  port?: number;
  /** How long to wait for the server to answer HTTP; default 20 s. */
  startupTimeoutMs?: number;
  /** Append the server's own output (request log) to this file; default: kept in memory (last 8 KiB) for errors. */
  logFile?: string;
  /** Project root holding .venv; default: two levels above this file. */
  projectRoot?: string;
}

const HOST = '127.0.0.1';
const TAIL_BYTES = 8192;

/** The moto_server executable of the project venv; throws an actionable error when the venv is missing. */
export function motoServerBinary(projectRoot = path.resolve(__dirname, '..', '..')): string {
  const bin = path.join(projectRoot, '.venv', 'bin', 'moto_server');
  if (!existsSync(bin)) {
    throw new Error(`moto server not found at ${bin}: run \`npm run venv\` first (it builds .venv from test/support/requirements.txt).`);
  }
  return bin;
}

/** Asks the OS for a free loopback port (listen on port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('could not obtain a free port'))));
    });
  });
}

function answersHttp(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(typeof res.statusCode === 'number' && res.statusCode > 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const bin = motoServerBinary(options.projectRoot);
  const timeoutMs = options.startupTimeoutMs ?? 20_000;
  // A picked port can be taken by someone else between close and bind: retry with a new one (fixed port: once).
  const attempts = options.port === undefined ? 3 : 1;
  let lastError: Error | undefined;
  for (let i = 0; i < attempts; i++) {
    const port = options.port ?? (await freePort());
    try {
      return await startOn(bin, port, timeoutMs, options.logFile);
    } catch (e) {
      lastError = e as Error;
    }
  }
  throw lastError ?? new Error('moto server did not start');
}

async function startOn(bin: string, port: number, timeoutMs: number, logFile: string | undefined): Promise<MotoServer> {
  const endpoint = `http://${HOST}:${port}`;
  const child: ChildProcess = spawn(bin, ['-H', HOST, '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });

  // Always drain the pipes (a full pipe would block the server); keep a tail for error messages.
  let tail = '';
  const log: WriteStream | undefined = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
  const onData = (chunk: Buffer) => {
    log?.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  let exited = child.exitCode !== null || child.signalCode !== null;
  let spawnError: Error | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (e) => {
      spawnError = e;
      exited = true;
      resolve();
    });
  });

  // Safety net: never leave a moto server behind this process.
  const killNow = () => {
    if (!exited) {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  const onSignal = (sig: NodeJS.Signals) => {
    killNow();
    removeHooks();
    // Keep the default behaviour (die by that signal) when nobody else handles it.
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const removeHooks = () => {
    process.removeListener('exit', killNow);
    for (const s of signals) process.removeListener(s, onSignal);
  };
  process.on('exit', killNow);
  for (const s of signals) process.on(s, onSignal);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(killNow, 5000);
        await exitPromise;
        clearTimeout(timer);
      }
      removeHooks();
      child.stdout?.destroy();
      child.stderr?.destroy();
      if (log) await new Promise<void>((r) => log.end(r));
    })();
    return stopping;
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) break;
    if (await answersHttp(`${endpoint}/moto-api/`, 1000)) {
      return { endpoint, port, pid: child.pid ?? -1, stop };
    }
    await sleep(100);
  }
  const why = spawnError
    ? `could not be spawned (${spawnError.message})`
    : exited
      ? `exited early (code ${child.exitCode}, signal ${child.signalCode})`
      : `did not answer HTTP within ${timeoutMs} ms`;
  await stop();
  throw new Error(`moto server on ${endpoint} ${why}. Its last output:\n${tail.trim() || '(none)'}`);
}
