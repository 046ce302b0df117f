import { readFileSync } from 'node:fs';
import { loadTemplate } from './load-template.js';

/**
 * docs/deploy-sam.md names every parameter `sam deploy --guided` asks for and every output the
 * stack gives, so that what an operator sets and gets is documented where they deploy (seven
 * parameters and three outputs had gone missing; found by review).
 */
const template = loadTemplate();
const guide = readFileSync(new URL('../../docs/deploy-sam.md', import.meta.url), 'utf8');

describe('docs/deploy-sam.md', () => {
  it.each(Object.keys(template.Parameters))('names the parameter %s', (name) => {
    expect(guide).toContain(`\`${name}\``);
  });

  it.each(Object.keys(template.Outputs))('names the output %s', (name) => {
    expect(guide).toContain(`\`${name}\``);
  });
});
