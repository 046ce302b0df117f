import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** samconfig.toml: deployable by anyone with `sam deploy --guided`, naming nothing of one account. */
const text = readFileSync(fileURLToPath(new URL('../../samconfig.toml', import.meta.url)), 'utf8');
const settings = text
  .split('\n')
  .map((line) => line.replace(/#.*$/, '').trim())
  .filter((line) => line.includes('='))
  .map((line) => line.split('=').map((part) => part.trim()) as [string, string]);
const value = (key: string) => settings.filter(([k]) => k === key).map(([, v]) => v);

describe('samconfig.toml', () => {
  it('names no profile, region or bucket', () => {
    for (const key of ['profile', 'region', 's3_bucket', 'image_repository', 'image_repositories']) expect(value(key)).toEqual([]);
    expect(text).not.toMatch(/\b\d{12}\b/); // no account ID
  });

  it('lets SAM manage its artifact bucket', () => {
    expect(value('resolve_s3')).toContain('true');
  });

  it('grants the capability the stack needs to create its unnamed IAM roles', () => {
    expect(value('capabilities')).toEqual(['"CAPABILITY_IAM"']);
  });

  it('has a stack name and asks before executing a change set', () => {
    expect(value('stack_name')).toEqual(['"speke-key-server"']);
    expect(value('confirm_changeset')).toEqual(['true']);
  });
});
