import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** samconfig.toml: deployable by anyone with `sam deploy --guided`, naming nothing of one account. */
const text = readFileSync(fileURLToPath(new URL('../../samconfig.toml', import.meta.url)), 'utf8');

/** The file's settings by `[<environment>.<command>.parameters]` section (the subset of TOML samconfig uses). */
function sections(source: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of source.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = new Map();
      out.set(header[1]!, current);
      continue;
    }
    const pair = /^([A-Za-z0-9_]+)\s*=\s*(.+)$/.exec(line);
    if (!pair) throw new Error(`samconfig.toml: cannot read "${raw}"`);
    if (current) current.set(pair[1]!, pair[2]!);
    else if (pair[1] !== 'version') throw new Error(`samconfig.toml: "${raw}" outside a section`);
  }
  return out;
}
const config = sections(text);
const environments = [...new Set([...config.keys()].map((name) => name.split('.')[0]!))];
const setting = (env: string, command: string, key: string) => config.get(`${env}.${command}.parameters`)?.get(key);
const everywhere = (key: string) => [...config.values()].flatMap((section) => (section.has(key) ? [section.get(key)!] : []));

describe('samconfig.toml', () => {
  it('names no profile, region or bucket', () => {
    for (const key of ['profile', 'region', 's3_bucket', 'image_repository', 'image_repositories']) expect(everywhere(key)).toEqual([]);
    expect(text).not.toMatch(/\b\d{12}\b/); // no account ID
  });

  it('lets SAM manage its artifact bucket, grants the capability the unnamed IAM roles need, lints on validate', () => {
    for (const env of environments) {
      expect(setting(env, 'deploy', 'resolve_s3')).toBe('true');
      expect(setting(env, 'deploy', 'capabilities')).toBe('"CAPABILITY_IAM"');
      expect(setting(env, 'validate', 'lint')).toBe('true');
    }
  });

  it('has a stack name and asks before executing a change set', () => {
    expect(setting('default', 'global', 'stack_name')).toBe('"speke-key-server"');
    for (const env of environments) expect(setting(env, 'deploy', 'confirm_changeset')).toBe('true');
  });

  it('never syncs (and never watches) the default stack: sam sync has its own dev environment and stack', () => {
    expect(config.has('default.sync.parameters')).toBe(false);
    const syncing = environments.filter((env) => config.has(`${env}.sync.parameters`));
    expect(syncing).toEqual(['dev']);
    expect(setting('dev', 'sync', 'watch')).toBe('true');
    const devStack = setting('dev', 'global', 'stack_name');
    expect(devStack).toBe('"speke-key-server-dev"');
    expect(devStack).not.toBe(setting('default', 'global', 'stack_name'));
    expect(setting('dev', 'deploy', 's3_prefix')).not.toBe(setting('default', 'deploy', 's3_prefix'));
  });
});
