/**
 * Imports run one way (docs/architecture.md, "Layering"): a module in src/ may import its own layer and the layers
 * below it, never one above it nor a sibling of the same rank. Bottom → top:
 *
 *   0 leaves        errors.ts, uuid.ts, service-name.ts, required.ts (each imports nothing from src/)
 *   1 cpix, drm     the XML model, one module per DRM system (independent of each other)
 *   2 keys          derivation, key grants (which name DRM system IDs), player tokens
 *   3 ports         ports.ts: what the core asks of the outside world
 *   4 speke         the SPEKE request → CPIX answer pipeline
 *   5 clearkey      the EME ClearKey license protocol
 *   6 service       what the entry points run (copy protection, license, request log, metrics, origin policy)
 *   7 adapters, config, observability   S3/Secrets Manager/file adapters, the environment, Powertools
 *   8 composition   composition.ts, the one composition root
 *   9 handlers, local   the entry points (Lambda handlers, the local server)
 *  10 demo          the demo page on the local server (nothing in src/ imports it)
 *
 * A file in src/ that is in no layer is reported too, so a new folder cannot slip past the rule.
 * Type-only imports count: they couple modules as much as value imports.
 */
import path from 'node:path';

/** `dir/` entries match a folder and everything under it; other entries are one module (no extension). */
export const LAYERS = [
  // Leaves: each its own layer of rank 0, so none imports another.
  { name: 'errors', rank: 0, modules: ['src/errors'] },
  { name: 'uuid', rank: 0, modules: ['src/uuid'] },
  { name: 'service-name', rank: 0, modules: ['src/service-name'] },
  { name: 'required', rank: 0, modules: ['src/required'] },
  { name: 'cpix', rank: 1, modules: ['src/cpix/'] },
  { name: 'drm', rank: 1, modules: ['src/drm/'] },
  { name: 'keys', rank: 2, modules: ['src/keys/'] },
  { name: 'ports', rank: 3, modules: ['src/ports'] },
  { name: 'speke', rank: 4, modules: ['src/speke/'] },
  { name: 'clearkey', rank: 5, modules: ['src/clearkey/'] },
  { name: 'service', rank: 6, modules: ['src/service/'] },
  { name: 'adapters', rank: 7, modules: ['src/adapters/'] },
  { name: 'config', rank: 7, modules: ['src/config'] },
  { name: 'observability', rank: 7, modules: ['src/observability'] },
  { name: 'composition', rank: 8, modules: ['src/composition'] },
  { name: 'handlers', rank: 9, modules: ['src/handlers/'] },
  { name: 'demo', rank: 10, modules: ['src/local/demo/', 'demo/'] },
  { name: 'local', rank: 9, modules: ['src/local/'] },
];

const withoutExtension = (file) => file.replace(/\.(?:[cm]?[jt]s|d\.ts)$/, '');

/** The layer of a repository-relative path (forward slashes), or undefined. First match wins. */
export function layerOf(relativePath) {
  const module = withoutExtension(relativePath);
  return LAYERS.find((layer) => layer.modules.some((m) => (m.endsWith('/') ? module.startsWith(m) : module === m)));
}

/** Why `from` may not import `to` (repository-relative paths), or undefined when it may. */
export function layerViolation(from, to) {
  const source = layerOf(from);
  if (source === undefined) return undefined;
  if (from.startsWith('src/') && !to.startsWith('src/')) return `src/ imports nothing outside src/ (${to})`;
  const target = layerOf(to);
  if (target === undefined) return undefined;
  if (target.name === source.name || target.rank < source.rank) return undefined;
  return target.rank === source.rank
    ? `${source.name} may not import its sibling layer ${target.name} (${to})`
    : `${source.name} (layer ${source.rank}) may not import ${target.name} (layer ${target.rank}, above it): ${to}`;
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports in src/ run one way: from a layer to the layers below it (eslint/layers.js).' },
    schema: [],
    messages: { wrongWay: 'Wrong-way import: {{why}}.', noLayer: '{{file}} is in no layer: add it to LAYERS in eslint/layers.js.' },
  },
  create(context) {
    const root = context.cwd;
    const from = path.relative(root, context.filename).split(path.sep).join('/');
    if (layerOf(from) === undefined) {
      if (!from.startsWith('src/')) return {};
      return { Program: (node) => context.report({ node, messageId: 'noLayer', data: { file: from } }) };
    }
    const check = (node, specifier) => {
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
      const to = path
        .relative(root, path.resolve(path.dirname(context.filename), specifier))
        .split(path.sep)
        .join('/');
      const why = layerViolation(from, to);
      if (why !== undefined) context.report({ node, messageId: 'wrongWay', data: { why } });
    };
    const fromSource = (node) => {
      if (node.source) check(node.source, node.source.value);
    };
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => {
        if (node.source.type === 'Literal') check(node.source, node.source.value);
      },
      TSImportType: (node) => {
        const literal = node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.source;
        if (literal?.type === 'Literal') check(literal, literal.value);
      },
    };
  },
};

export default { rules: { 'one-way': rule } };
