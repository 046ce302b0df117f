import { readFileSync } from 'node:fs';
import { loadTemplate, TEMPLATE_PATH } from './load-template.js';

/**
 * `sam validate --lint` (samconfig.toml: lint = true) runs cfn-lint, which reads the template's
 * Metadata.cfn-lint.config. The template ignores only what SAM's own output trips, each entry with
 * the reason above it; `npm run lint:template` (in CI) runs cfn-lint and proves each ignored check
 * fires only in SAM-generated parts.
 */
const template = loadTemplate();
const text = readFileSync(TEMPLATE_PATH, 'utf8').split('\n');

describe('template.yaml: cfn-lint configuration', () => {
  it('is at the template level and ignores W1028 only (the nested Fn::If the SAM transform writes into the API body)', () => {
    expect(Object.keys(template.Metadata['cfn-lint'])).toEqual(['config']);
    expect(template.Metadata['cfn-lint'].config).toEqual({ ignore_checks: ['W1028'] });
  });

  it('says why for each ignored check, right above it', () => {
    for (const id of template.Metadata['cfn-lint'].config.ignore_checks as string[]) {
      const at = text.findIndex((line) => line.trim() === `- ${id}`);
      expect(at).toBeGreaterThan(0);
      const comment: string[] = [];
      for (let i = at - 1; i >= 0 && text[i]!.trim().startsWith('#'); i--) comment.unshift(text[i]!.trim());
      expect(comment.join(' ')).toMatch(new RegExp(`^# ${id} `));
      expect(comment.join(' ')).toMatch(/SAM/);
    }
  });
});
