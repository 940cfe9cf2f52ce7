import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentClient, decodeToken, execRequestArgs, MAX_EXEC_REQUEST_BYTES, type AgentExecRequest } from '../../../../../ts-core/src/backends/linux/vm/agentClient.js';

/** A stand-in for the guest: answers each request line with whatever the test scripts. */
let dir: string;
let socketPath: string;
let server: net.Server;
let script: (seq: string, verb: string, socket: net.Socket) => void;
let greeting: string | null;
let requests: string[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wc-agentc-'));
  socketPath = path.join(dir, 'agent.sock');
  greeting = 'WCAGENT READY 1 c1\n';
  script = () => undefined;
  requests = [];
  server = net.createServer((socket) => {
    if (greeting) socket.write(greeting);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      let i: number;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        if (!line) continue; // like the real agent: empty lines only end partial input
        requests.push(line);
        const [seq, verb] = line.split(' ') as [string, string];
        script(seq, verb, socket);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
});

afterEach(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('agent client', () => {
  it('should accept the ready line and a well-framed process list', async () => {
    script = (seq, verb, s) => {
      if (verb === 'ps') s.write(`${seq} BEGIN ps\n${seq} U 5.02\n${seq} P 92 91 8192 8 229 S ping ping%20127.0.0.1\n${seq} END 2\n`);
    };
    const client = await AgentClient.connect(socketPath, 2000);
    try {
      await client.waitReady('c1', 2000);
      const list = await client.processes(2000);
      expect(list).toEqual({ uptimeSeconds: 5.02, processes: [{ pid: 92, ppid: 91, rssBytes: 8192, cpuTicks: 8, startTicks: 229, state: 'S', name: 'ping', commandLine: 'ping 127.0.0.1' }] });
    } finally {
      client.close();
    }
  });

  it('should report garbage from the agent as AgentProtocolError naming the line', async () => {
    script = (seq, _verb, s) => s.write(`${seq} BEGIN ps\n${seq} U 1.00\nrm -rf / \x07garbage\n`);
    const client = await AgentClient.connect(socketPath, 2000);
    try {
      await client.waitReady('c1', 2000);
      await expect(client.processes(2000)).rejects.toMatchObject({
        code: 'AgentProtocolError',
        message: expect.stringMatching(/not printable ASCII: "rm -rf \/ \\u0007garbage"/),
        details: { line: 'rm -rf / \x07garbage' },
      });
    } finally {
      client.close();
    }
  });

  it.each([
    ['a process record with a non-numeric PID', (seq: string) => `${seq} BEGIN ps\n${seq} U 1.00\n${seq} P x 1 0 0 0 S sh -\n${seq} END 2\n`, /not a process record: ".* P x 1/],
    ['a record count that does not match', (seq: string) => `${seq} BEGIN ps\n${seq} U 1.00\n${seq} END 5\n`, /announces 5 records but carried 1/],
    ['a process listed twice', (seq: string) => `${seq} BEGIN ps\n${seq} U 1.00\n${seq} P 5 1 0 0 0 S sh -\n${seq} P 5 1 0 0 0 S sh -\n${seq} END 3\n`, /process 5 is listed twice/],
    ['a name that is not percent-encoded', (seq: string) => `${seq} BEGIN ps\n${seq} U 1.00\n${seq} P 5 1 0 0 0 S a%zz -\n${seq} END 2\n`, /not percent-encoded/],
    ['a PID beyond the kernel maximum', (seq: string) => `${seq} BEGIN ps\n${seq} U 1.00\n${seq} P 99999999 1 0 0 0 S sh -\n${seq} END 2\n`, /out of range/],
    ['an answer to another verb', (seq: string) => `${seq} BEGIN hello\n${seq} END 0\n`, /expected ".* BEGIN ps"/],
    ['a refusal', (seq: string) => `${seq} ERR unknown-verb\n`, /refused 'ps' \(unknown-verb\)/],
  ])('should reject %s', async (_what, answer, message) => {
    script = (seq, _verb, s) => s.write(answer(seq));
    const client = await AgentClient.connect(socketPath, 2000);
    try {
      await client.waitReady('c1', 2000);
      await expect(client.processes(2000)).rejects.toMatchObject({ code: 'AgentProtocolError', message: expect.stringMatching(message) });
    } finally {
      client.close();
    }
  });

  it('should skip a well-formed stale answer meant for an earlier request', async () => {
    script = (seq, _verb, s) => s.write(`12 S running 5\n12 END 1\n${seq} BEGIN exit-status\n${seq} S exited 5 3\n${seq} END 1\n`);
    const client = await AgentClient.connect(socketPath, 2000);
    try {
      await client.waitReady('c1', 2000);
      expect(await client.exitStatus(2000)).toEqual({ state: 'exited', pid: 5, code: 3 });
    } finally {
      client.close();
    }
  });

  it('should time out, not hang, when the agent stops answering', async () => {
    const client = await AgentClient.connect(socketPath, 2000);
    try {
      await client.waitReady('c1', 2000);
      // AgentTimeout names its own 300 ms: the client's timer ended the wait, not the test's.
      await expect(client.processes(300)).rejects.toMatchObject({ code: 'AgentTimeout', message: expect.stringMatching(/did not answer 'ps' within 300 ms/) });
    } finally {
      client.close();
    }
  });

  it('should reject a ready line for another container or protocol', async () => {
    greeting = 'WCAGENT READY 1 someone-else\n';
    let client = await AgentClient.connect(socketPath, 2000);
    await expect(client.waitReady('c1', 2000)).rejects.toMatchObject({
      code: 'AgentProtocolError',
      message: expect.stringMatching(/serves container 'someone-else', not 'c1'/),
    });
    client.close();
    greeting = 'WCAGENT READY 2 c1\n';
    client = await AgentClient.connect(socketPath, 2000);
    await expect(client.waitReady('c1', 2000)).rejects.toMatchObject({ code: 'AgentProtocolError', message: expect.stringMatching(/speaks protocol 2/) });
    client.close();
    greeting = 'login: \n';
    client = await AgentClient.connect(socketPath, 2000);
    await expect(client.waitReady('c1', 2000)).rejects.toMatchObject({
      code: 'AgentProtocolError',
      message: expect.stringMatching(/expected the ready line.*"login: "/),
    });
    client.close();
  });

  it('should refuse an endless line instead of buffering it', async () => {
    greeting = 'x'.repeat(70_000);
    const client = await AgentClient.connect(socketPath, 2000);
    await expect(client.waitReady('c1', 2000)).rejects.toMatchObject({ code: 'AgentProtocolError', message: expect.stringMatching(/longer than 65536 bytes/) });
    client.close();
  });

  it('should give up connecting to a socket that does not exist, within the timeout', async () => {
    await expect(AgentClient.connect(path.join(dir, 'missing.sock'), 300)).rejects.toMatchObject({
      code: 'AgentTimeout',
      message: expect.stringMatching(/Could not connect .*missing\.sock within 300 ms/),
    });
  });

  it('should decode percent-encoded names and "-" as empty', () => {
    expect(decodeToken('a%20b%25', 'l')).toBe('a b%');
    expect(decodeToken('-', 'l')).toBe('');
    expect(decodeToken('%C3%BC', 'l')).toBe('ü');
  });

  describe('exec', () => {
    const request: AgentExecRequest = {
      argv: ['PATH=/bin', 'sh', '-c', 'echo "$1"', '--', '$(reboot) `id`; \'q\' "d"\n', ''],
      workingDir: '/tmp', uid: 1000, gid: 100, additionalGids: [5, 6], timeoutSeconds: 3, maxOutputBytes: 1024,
    };
    const b64 = (text: string | Buffer): string[] => (Buffer.isBuffer(text) ? text : Buffer.from(text)).toString('base64').match(/.{1,76}/g) ?? [];
    const answer = (seq: string, status: string, out: string[], err: string[] = [], count?: number): string =>
      [`${seq} BEGIN exec`, `${seq} ${status}`, ...out.map((l) => `${seq} O ${l}`), ...err.map((l) => `${seq} E ${l}`),
        `${seq} END ${count ?? 1 + out.length + err.length}`].join('\n') + '\n';

    async function run(reply: (seq: string) => string, req: AgentExecRequest = request) {
      script = (seq, verb, s) => { if (verb === 'exec') s.write(reply(seq)); };
      const client = await AgentClient.connect(socketPath, 2000);
      try {
        await client.waitReady('c1', 2000);
        return await client.exec(req, 2000);
      } finally {
        client.close();
      }
    }

    it('should send every value base64-encoded as one word and read back output, exit code and stderr', async () => {
      const out = Buffer.concat([Buffer.from('$(reboot) ü\n'), Buffer.alloc(200, 0x78)]);
      const result = await run((seq) => answer(seq, 'X 7 0', b64(out), b64('err\n')));
      expect(result).toEqual({ exitCode: 7, timedOut: false, stdout: out.toString('utf8'), stderr: 'err\n', truncated: false });
      const words = requests.at(-1)!.split(' ');
      expect(words.slice(1, 8)).toEqual(['exec', '3', '1024', '1000', '100', '5,6', Buffer.from('/tmp').toString('base64')]);
      expect(Number(words[8])).toBe(request.argv.length);
      // Nothing of the values is in the line as text: each decodes back to the exact argument ("-" is empty).
      expect(words.slice(9).map((w) => (w === '-' ? '' : Buffer.from(w, 'base64').toString('utf8')))).toEqual(request.argv);
      expect(requests.at(-1)).not.toMatch(/reboot|"/);
    });

    it('should report more than the cap as truncated, cut at the cap', async () => {
      const result = await run((seq) => answer(seq, 'X 0 0', b64(Buffer.alloc(1025, 0x61))));
      expect(result.truncated).toBe(true);
      expect(result.stdout).toBe('a'.repeat(1024));
    });

    it('should pass on that the agent killed the command at its timeout', async () => {
      expect(await run((seq) => answer(seq, 'X 137 1', []))).toMatchObject({ exitCode: 137, timedOut: true, stdout: '', stderr: '' });
    });

    it.each([
      ['more output than the cap allows', (seq: string) => answer(seq, 'X 0 0', b64(Buffer.alloc(4000, 0x61))), /stdout is longer than the 1024 bytes/],
      ['an exit code above 255', (seq: string) => answer(seq, 'X 300 0', []), /must start with "X <exit-code> <timed-out>"/],
      ['a missing status record', (seq: string) => answer(seq, 'O YQ==', [], [], 1), /must start with "X/],
      ['output that is not base64 text', (seq: string) => answer(seq, 'X 0 0', ['$(reboot)']), /not an output record/],
      ['an output line longer than base64 wraps', (seq: string) => answer(seq, 'X 0 0', ['QUFB'.repeat(20)]), /not an output record/],
      ['base64 with broken padding', (seq: string) => answer(seq, 'X 0 0', ['YQ=', 'YQ==']), /stdout is not base64/],
      ['an unknown record', (seq: string) => `${seq} BEGIN exec\n${seq} X 0 0\n${seq} Z abc\n${seq} END 2\n`, /not an output record/],
    ])('should reject %s', async (_what, reply, message) => {
      await expect(run(reply)).rejects.toMatchObject({ code: 'AgentProtocolError', message: expect.stringMatching(message) });
    });

    it('should say an old agent refused exec, so the caller can tell the user why', async () => {
      await expect(run((seq) => `${seq} ERR unknown-verb\n`)).rejects.toMatchObject({ code: 'AgentProtocolError', details: { refusal: 'unknown-verb' } });
    });

    it('should tell an empty argument from a literal "-": only the empty string is "-", a "-" is base64 like any value', () => {
      const words = execRequestArgs({ ...request, argv: ['printf', '%s|', '', '-', 'a', ''] }).slice(7);
      expect(words).toEqual([Buffer.from('printf').toString('base64'), Buffer.from('%s|').toString('base64'), '-', 'LQ==', 'YQ==', '-']);
      // base64 never writes "-" (its alphabet is A-Z a-z 0-9 + / =), so the marker cannot be a value.
      expect(words.map((w) => (w === '-' ? '' : Buffer.from(w, 'base64').toString('utf8')))).toEqual(['printf', '%s|', '', '-', 'a', '']);
    });

    it('should refuse before sending what cannot be sent: NUL, a too long request, bad ids', () => {
      expect(() => execRequestArgs({ ...request, argv: ['a\0b'] })).toThrow(expect.objectContaining({ code: 'InvalidArgument', message: expect.stringMatching(/NUL/) }));
      expect(() => execRequestArgs({ ...request, argv: ['x'.repeat(MAX_EXEC_REQUEST_BYTES)] })).toThrow(expect.objectContaining({ code: 'InvalidArgument', message: expect.stringMatching(/at most 49152 fit/) }));
      expect(() => execRequestArgs({ ...request, uid: -1 })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
      expect(execRequestArgs({ ...request, workingDir: '', additionalGids: [] }).slice(4, 6)).toEqual(['-', '-']);
    });
  });
});
