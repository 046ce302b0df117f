import { readFileSync } from 'node:fs';
import { loadTemplate } from './load-template.js';

/**
 * docs/deploy-sam.md names every parameter `sam deploy --guided` asks for and every output the
 * stack gives, so that what an operator sets and gets is documented where they deploy (seven
 * parameters and three outputs had gone missing; found by review).
 */
const template = loadTemplate();
const guide = readFileSync(new URL('../../docs/deploy-sam.md', import.meta.url), 'utf8');
const pulumiGuide = readFileSync(new URL('../../docs/deploy-pulumi.md', import.meta.url), 'utf8');
/** Resources a stack deletion leaves behind, which an operator removes by hand. */
const retained = Object.keys(template.Resources).filter((id) => template.Resources[id]!.DeletionPolicy === 'Retain');

/** The text of a guide's section, from its heading to the next one. */
function section(text: string, heading: string): string {
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no section "${heading}"`);
  const end = text.indexOf('\n## ', start + 4);
  return text.slice(start, end < 0 ? undefined : end);
}

describe('docs/deploy-sam.md', () => {
  it.each(Object.keys(template.Parameters))('names the parameter %s', (name) => {
    expect(guide).toContain(`\`${name}\``);
  });

  it.each(Object.keys(template.Outputs))('names the output %s', (name) => {
    expect(guide).toContain(`\`${name}\``);
  });
});

// deploy-pulumi.md left out four outputs and three of the five retained resources (found by review).
describe('docs/deploy-pulumi.md and docs/deploy-sam.md', () => {
  it.each(Object.keys(template.Outputs))('deploy-pulumi.md names the output %s', (name) => {
    expect(pulumiGuide).toContain(`\`${name}\``);
  });

  it('the retained resources are the ones the guides list', () => {
    expect(retained.sort()).toEqual(['ApiGatewayLoggingRoleResource', 'GrantBucket', 'KeyBucket', 'KeyDeliveryLogBucket', 'MasterSecret']);
  });

  it.each(retained)('both guides say that removing the stack keeps %s', (id) => {
    expect(section(guide, 'Removing the stack')).toContain(`\`${id}\``);
    expect(section(pulumiGuide, 'Removing it')).toContain(`\`${id}\``);
  });
});
