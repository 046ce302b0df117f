import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileContentSecrets } from '../../src/adapters/file-content-secrets.js';
import { referenceContentKey } from '../../src/keys/reference-deriver.js';
import { removeDir, startLocalServer, type RunningServer } from '../support/local-server.js';
import { KID_A, v2Request } from '../support/requests.js';
import { all, parse, PSKC } from '../support/xml.js';

/**
 * The local server with SPEKE_KEY_DERIVATION=reference: per-content-ID secrets in
 * <data folder>/reference-secrets/, keys as the Python reference server derived them.
 */
const REFERENCE = { SPEKE_KEY_DERIVATION: 'reference' };

/**
 * Known answer computed outside the project (Python hashlib, as the reference server's PBKDF2HMAC):
 *   python3 -c 'import hashlib,sys; print(hashlib.pbkdf2_hmac("sha256", sys.argv[2].encode(), sys.argv[1].encode(), 5000, 16).hex())' \
 *     'q9#Tz!w2^Lk7@pV$e4&Rb8*Xn1(Hs6)Mj3_Gd5+Fc0-Ya=Ku[Wi]Zo{Qt}Ux|Ev;' 98ee5596-cd3e-a20d-163a-e382420c6eff
 */
const MIGRATED_SECRET = 'q9#Tz!w2^Lk7@pV$e4&Rb8*Xn1(Hs6)Mj3_Gd5+Fc0-Ya=Ku[Wi]Zo{Qt}Ux|Ev;';
const MIGRATED_KEY = Buffer.from('e0b3958a45d8c8802d720a0b586083dd', 'hex');

const dirs: string[] = [];
const servers: RunningServer[] = [];

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'speke-reference-'));
  dirs.push(dir);
  return dir;
}

async function start(dir: string): Promise<RunningServer> {
  const server = await startLocalServer(REFERENCE, { dataDir: dir });
  servers.push(server);
  return server;
}

async function requestKey(server: RunningServer, contentId: string): Promise<{ status: number; key?: Buffer; body: string }> {
  const response = await fetch(`${server.url}/copyProtection`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/xml', 'X-Speke-Version': '2.0' },
    body: v2Request({ contentId }),
  });
  const body = await response.text();
  if (response.status !== 200) return { status: response.status, body };
  const [plain] = all(parse(body), PSKC, 'PlainValue');
  return { status: response.status, key: Buffer.from(plain!.text, 'base64'), body };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  await Promise.all(dirs.splice(0).map(removeDir));
});

describe('local server in reference key derivation mode', () => {
  it('creates a secret for a new content ID (mode 0600) and gives the same key after a restart', async () => {
    const dir = await dataDir();
    const first = await start(dir);
    const before = await requestKey(first, 'movie-1');
    expect(before.status).toBe(200);
    await first.stop();

    const secretFile = join(dir, 'reference-secrets', 'movie-1');
    const secret = (await readFile(secretFile, 'utf8')).trimEnd();
    expect(secret).toMatch(/^[!-~]{64}$/);
    if (process.platform !== 'win32') expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
    expect(before.key).toEqual(referenceContentKey(secret, KID_A));

    const after = await requestKey(await start(dir), 'movie-1');
    expect(after.key).toEqual(before.key);
  });

  it("reproduces a reference deployment's key from its speke/<content ID> secret copied into the data folder", async () => {
    const dir = await dataDir();
    await mkdir(join(dir, 'reference-secrets'), { recursive: true });
    await writeFile(join(dir, 'reference-secrets', 'movie-1'), `${MIGRATED_SECRET}\n`, { mode: 0o600 });
    const server = await start(dir);
    const answer = await requestKey(server, 'movie-1');
    expect(answer.key).toEqual(MIGRATED_KEY);
  });

  it('concurrent first requests for one content ID agree on one secret', async () => {
    const dir = await dataDir();
    const server = await start(dir);
    const answers = await Promise.all(Array.from({ length: 8 }, () => requestKey(server, 'live-1')));
    expect(new Set(answers.map((a) => a.key!.toString('hex'))).size).toBe(1);
    expect(await readdir(join(dir, 'reference-secrets'))).toEqual(['live-1']);
  });

  it('two processes sharing the data folder agree on the first secret written', async () => {
    const folder = join(await dataDir(), 'reference-secrets');
    const secrets = await Promise.all(Array.from({ length: 8 }, () => new FileContentSecrets(folder).secretFor('live-1')));
    expect(new Set(secrets).size).toBe(1);
    expect(await readdir(folder)).toEqual(['live-1']);
  });

  it('refuses (422) a content ID that is not usable as a reference secret name', async () => {
    const server = await start(await dataDir());
    const answer = await requestKey(server, 'movie 1');
    expect(answer.status).toBe(422);
    expect(answer.body).toContain('only ASCII letters, digits and the characters / _ + = . @ -');
  });
});
