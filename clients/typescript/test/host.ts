// Starts samples/HostApp as its own process on 127.0.0.1, a free port and a throwaway SQLite file,
// the way tests/DfChat.Tests/RealTime/HostProcess.cs does, and registers users through its Identity
// endpoints.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DfChatClient } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The package folder (tests run from build/test). */
const packageRoot = resolve(here, '..', '..');
export const repoRoot = resolve(packageRoot, '..', '..');

export const PASSWORD = 'Passw0rd!';

/** The sample host's dll: DFCHAT_HOSTAPP_DLL, else the Debug build beside the sample. */
function hostDll(): string {
  const dll = process.env.DFCHAT_HOSTAPP_DLL ?? join(repoRoot, 'samples/HostApp/bin/Debug/net10.0/HostApp.dll');
  if (!existsSync(dll)) throw new Error(`${dll} is missing: build it first (dotnet build samples/HostApp), or set DFCHAT_HOSTAPP_DLL.`);
  return dll;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

export class SampleHost {
  readonly folder: string;
  readonly port: number;
  private process: ChildProcess | null = null;
  private output: string[] = [];
  private readonly env: Record<string, string>;

  private constructor(folder: string, port: number, env: Record<string, string>) {
    this.folder = folder;
    this.port = port;
    this.env = env;
  }

  /** Starts a sample host on a new database; `env` adds or overrides settings. */
  static async start(env: Record<string, string> = {}): Promise<SampleHost> {
    const folder = mkdtempSync(join(tmpdir(), 'dfchat-ts-'));
    const host = new SampleHost(folder, await freePort(), env);
    await host.launch();
    return host;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get baseUrl(): string {
    return `${this.origin}/api/chat`;
  }

  /** Starts the process (again, on the same port and database), with `extraEnv` on top for this run. */
  async launch(extraEnv: Record<string, string> = {}): Promise<void> {
    const child = spawn('dotnet', [hostDll(), '--urls', this.origin], {
      cwd: this.folder,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ASPNETCORE_ENVIRONMENT: 'Testing',
        DOTNET_NOLOGO: '1',
        Database__Provider: 'sqlite',
        ConnectionStrings__Chat: `Data Source=${join(this.folder, 'chat.db')}`,
        ConnectionStrings__Redis: '',
        Media__Root: join(this.folder, 'media'),
        DfChat__RateLimits__Enabled: 'false',
        Logging__LogLevel__Default: 'Warning',
        ...this.env,
        ...extraEnv,
      },
    });
    this.process = child;
    // However the test process ends, the host goes with it.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    const record = (data: Buffer) => {
      this.output.push(...data.toString().split('\n'));
      this.output = this.output.slice(-60);
    };
    child.stdout!.on('data', record);
    child.stderr!.on('data', record);
    for (let attempt = 0; attempt < 150; attempt++) {
      if (child.exitCode !== null) throw new Error(`The sample host exited: ${this.output.join('\n')}`);
      try {
        const response = await fetch(`${this.origin}/openapi/v1.json`);
        await response.body?.cancel();
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await sleep(200);
    }
    await this.stop();
    throw new Error(`The sample host did not answer within 30 s: ${this.output.join('\n')}`);
  }

  /**
   * Stops the process; the database stays for a later `launch`. `graceful` lets the host shut down
   * as on SIGTERM (its outbox marks what it published); otherwise it is killed.
   */
  async stop(graceful = false): Promise<void> {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
    child.kill(graceful ? 'SIGTERM' : 'SIGKILL');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  /** Stops the process and removes its folder. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.folder, { recursive: true, force: true });
  }

  /** Registers a new user and logs it in: a client with its bearer token. */
  async user(name: string, baseUrl = this.baseUrl): Promise<TestUser> {
    const email = `${name}-${Math.random().toString(36).slice(2, 10)}@test.example`;
    await this.auth('/auth/register', { email, password: PASSWORD });
    const tokens = (await this.auth('/auth/login', { email, password: PASSWORD })) as { accessToken: string };
    const client = new DfChatClient({ baseUrl, accessToken: () => tokens.accessToken });
    const me = await client.getMe();
    return { email, token: tokens.accessToken, id: me.id, displayName: me.displayName, client };
  }

  private async auth(path: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${this.origin}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }
}

export interface TestUser {
  email: string;
  token: string;
  id: string;
  displayName: string;
  client: DfChatClient;
}

/**
 * A TCP proxy in front of the host: `cut()` drops every open connection and refuses new ones
 * until `restore()`, as a lost network would.
 */
export class CuttableProxy {
  readonly port: number;
  private readonly server: Server;
  private readonly sockets: Set<Socket>;
  private readonly state: { down: boolean };

  private constructor(server: Server, port: number, sockets: Set<Socket>, state: { down: boolean }) {
    this.server = server;
    this.port = port;
    this.sockets = sockets;
    this.state = state;
  }

  static async start(targetPort: number): Promise<CuttableProxy> {
    const sockets = new Set<Socket>();
    const state = { down: false };
    const server = createServer((incoming) => {
      if (state.down) {
        incoming.destroy();
        return;
      }
      const outgoing = connect(targetPort, '127.0.0.1');
      for (const socket of [incoming, outgoing]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      incoming.pipe(outgoing);
      outgoing.pipe(incoming);
      incoming.on('close', () => outgoing.destroy());
      outgoing.on('close', () => incoming.destroy());
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    return new CuttableProxy(server, (server.address() as { port: number }).port, sockets, state);
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Drops every open connection and refuses new ones. */
  cut(): void {
    this.state.down = true;
    for (const socket of this.sockets) socket.destroy();
  }

  /** Lets connections through again. */
  restore(): void {
    this.state.down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((ok) => setTimeout(ok, ms));
}

/** Polls `condition` until true; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A 1×1 PNG. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
