import { execFile } from 'node:child_process';
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { samParameterOverrides } from '../support/sam-parameter-overrides.js';
import { loadTemplate, type Json } from './load-template.js';

/**
 * docs/deploy-sam.md "Build and deploy": `sam deploy --guided` can be completed by pressing Enter for every
 * parameter. SAM CLI (samcli/commands/deploy/guided_context.py, prompt_parameters) offers
 * str(Default) as each prompt's answer, except for a NoEcho parameter, which it prompts for
 * hidden and without a default: click then asks again on every Enter. So: no NoEcho parameter,
 * every parameter has a default, and each default is a value CloudFormation accepts.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const template = loadTemplate();
const parameters = Object.entries(template.Parameters);

/** What CloudFormation says about `value` for `parameter` (AllowedValues, AllowedPattern, lengths, number range). */
function refusals(parameter: Json, value: string): string[] {
  const out: string[] = [];
  const isList = parameter.Type === 'CommaDelimitedList' || String(parameter.Type).startsWith('List<');
  if (parameter.AllowedValues && !isList && !(parameter.AllowedValues as unknown[]).map(String).includes(value)) out.push('not an allowed value');
  if (parameter.AllowedPattern !== undefined && !new RegExp(`^(?:${parameter.AllowedPattern as string})$`).test(value))
    out.push('does not match AllowedPattern');
  if (parameter.MaxLength !== undefined && value.length > parameter.MaxLength) out.push('too long');
  if (parameter.MinLength !== undefined && value.length < parameter.MinLength) out.push('too short');
  if (parameter.Type === 'Number') {
    const n = Number(value);
    if (value === '' || !Number.isFinite(n)) out.push('not a number');
    if (parameter.MinValue !== undefined && n < parameter.MinValue) out.push('below MinValue');
    if (parameter.MaxValue !== undefined && n > parameter.MaxValue) out.push('above MaxValue');
  }
  return out;
}

describe('sam deploy --guided: Enter for every parameter', () => {
  it('has no NoEcho parameter (SAM prompts for those without their default)', () => {
    expect(parameters.filter(([, p]) => p.NoEcho !== undefined).map(([name]) => name)).toEqual([]);
  });

  it.each(parameters.map(([name]) => name))('%s: the default SAM offers is a value CloudFormation accepts', (name) => {
    const parameter = template.Parameters[name];
    expect(parameter.Default).toBeDefined();
    // str(Default) as guided_context.py makes it: lists as CloudFormation takes them, comma-joined.
    const offered = Array.isArray(parameter.Default) ? (parameter.Default as unknown[]).join(',') : String(parameter.Default);
    expect(refusals(parameter, offered)).toEqual([]);
  });
});

describe('KeyDeliveryPublicKey: a whole PEM public key or nothing', () => {
  const parameter = template.Parameters.KeyDeliveryPublicKey;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;

  it('accepts the PEM openssl rsa -pubout writes (with or without the final newline, CRLF too), and empty', () => {
    for (const value of [
      '',
      pem,
      pem.trimEnd(),
      pem.replace(/\n/g, '\r\n'),
      (generateKeyPairSync('rsa', { modulusLength: 4096 }).publicKey.export({ type: 'spki', format: 'pem' }) as string).trimEnd(),
    ]) {
      expect(refusals(parameter, value)).toEqual([]);
    }
  });

  it('refuses what broken quoting passes (only -----BEGIN), a PEM without its line breaks, a private key and a certificate', () => {
    const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const pkcs1 = createPublicKey(pem).export({ type: 'pkcs1', format: 'pem' }) as string;
    for (const value of [
      '-----BEGIN',
      pem.replace(/\n/g, ' '),
      privatePem,
      pkcs1,
      pem.replace('PUBLIC KEY', 'CERTIFICATE'),
      `${pem}${pem}`,
      'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA',
    ]) {
      expect(refusals(parameter, value)).not.toEqual([]);
    }
  });

  describe('docs/security.md quoting for --parameter-overrides', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'speke-overrides-'));
      await writeFile(join(dir, 'pub.pem'), pem);
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** The arguments `line` hands to sam after bash expands it, as SAM CLI reads its parameter overrides. */
    async function overridesOf(line: string): Promise<Record<string, string>> {
      const script = `sam() { printf '%s\\0' "$@"; }\n${line}\n`;
      const { stdout } = await promisify(execFile)('bash', ['-c', script], { cwd: dir });
      const args = stdout.split('\0').slice(0, -1);
      const start = args.indexOf('--parameter-overrides');
      expect(start).toBeGreaterThanOrEqual(0);
      const values: string[] = [];
      for (const arg of args.slice(start + 1)) {
        if (arg.startsWith('--')) break;
        values.push(arg);
      }
      return samParameterOverrides(values);
    }

    it('passes the whole key with the command docs/security.md shows', async () => {
      const readme = await readFile(join(ROOT, 'docs', 'security.md'), 'utf8');
      const lines = readme
        .split('\n')
        .filter((l) => /^\s*sam deploy .*KeyDeliveryPublicKey=.*pub\.pem/.test(l))
        .map((l) => l.trim());
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const value = (await overridesOf(line)).KeyDeliveryPublicKey!;
        expect(value).toBe(pem.trimEnd());
        expect(refusals(parameter, value)).toEqual([]);
      }
    });

    it('and shows why: unquoted for SAM, the value ends at the first space, which the pattern refuses', async () => {
      const value = (await overridesOf('sam deploy --parameter-overrides KeyDeliveryPublicKey="$(cat pub.pem)"')).KeyDeliveryPublicKey!;
      expect(value).toBe('-----BEGIN');
      expect(refusals(parameter, value)).not.toEqual([]);
    });
  });
});
