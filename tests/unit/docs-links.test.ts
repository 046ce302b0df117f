import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every relative link in README.md, CONTRIBUTING.md, docs/*.md and events/README.md points at a
 * file that exists and, when it names a heading (`file.md#anchor` or `#anchor`), at a heading
 * that exists, with the anchor GitHub makes of it; and every file or folder of the repository named
 * in a code span (`src/config.ts`) exists. Keeps the documentation in step when text or files move.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The Markdown files checked, relative to the repository root. */
function documents(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  return ['README.md', 'CONTRIBUTING.md', 'events/README.md', ...docs];
}

/** The text outside fenced code blocks (links in examples are not links). */
function prose(markdown: string): string {
  const out: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      out.push('');
      continue;
    }
    out.push(fenced ? '' : line);
  }
  return out.join('\n');
}

/** Link and image targets: `[text](target)` and `![alt](target)`, text across line breaks included. */
export function linkTargets(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

/** The anchors GitHub gives the headings of a document (lower case, punctuation dropped, spaces to dashes, repeats numbered). */
export function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of prose(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = heading[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** What is wrong with each relative link of `file` (repository-relative), or nothing. */
function brokenLinks(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const problems: string[] = [];
  for (const target of linkTargets(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
    const [path, anchor] = target.split('#', 2) as [string, string | undefined];
    const resolved = path === '' ? join(ROOT, file) : resolve(dirname(join(ROOT, file)), decodeURIComponent(path));
    if (!resolved.startsWith(ROOT) || !existsSync(resolved)) {
      problems.push(`${target}: no file ${relative(ROOT, resolved)}`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!resolved.endsWith('.md') || statSync(resolved).isDirectory()) {
      problems.push(`${target}: an anchor into a file that is not Markdown`);
      continue;
    }
    if (!headingAnchors(readFileSync(resolved, 'utf8')).has(anchor)) problems.push(`${target}: no heading #${anchor} in ${relative(ROOT, resolved)}`);
  }
  return problems;
}

/** Folders of this repository; a code span that starts with one of them names a file or folder of it. */
const REPOSITORY_FOLDERS = ['src', 'tests', 'scripts', 'bench', 'infra', 'tools', 'events', 'demo', 'eslint', 'docs'];

/**
 * Code spans naming other repositories' files, with why: the Python reference server's module
 * (docs/migration.md), and the Pulumi program's tests, named from infra/pulumi (docs/deploy-pulumi.md).
 */
const NOT_OURS: Record<string, string[]> = {
  'docs/migration.md': ['src/key_generator.py'],
};
const BASE_DIRS: Record<string, string[]> = {
  'docs/deploy-pulumi.md': ['', 'infra/pulumi'],
};

/** Code spans (`…`) that are a repository path: one of REPOSITORY_FOLDERS, then no space or placeholder. */
export function repositoryPaths(markdown: string): string[] {
  const path = new RegExp(String.raw`^(?:${REPOSITORY_FOLDERS.join('|')})/[^\s<>*{}…]*$`);
  return [...prose(markdown).matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!).filter((span) => path.test(span));
}

/** The code-span paths of `file` that name nothing in the repository. */
function missingPaths(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const bases = BASE_DIRS[file] ?? [''];
  return repositoryPaths(text).filter((path) => !(NOT_OURS[file] ?? []).includes(path) && !bases.some((base) => existsSync(join(ROOT, base, path))));
}

describe('documentation links', () => {
  it('finds links and heading anchors as GitHub makes them', () => {
    expect(linkTargets('See [a](docs/a.md#b-c), ![x](p.png "t") and [two\nlines](#z).\n```\n[no](code.md)\n```\n')).toEqual(['docs/a.md#b-c', 'p.png', '#z']);
    expect([...headingAnchors('# SPEKE v2.1\n## Load (`npm run load`)\n## Outputs\n### Outputs\n```\n# not a heading\n```\n')]).toEqual([
      'speke-v21',
      'load-npm-run-load',
      'outputs',
      'outputs-1',
    ]);
  });

  it('README.md links the docs it moved text to', () => {
    const targets = linkTargets(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    for (const doc of ['docs/configuration.md', 'docs/architecture.md', 'docs/deploy-sam.md', 'docs/deploy-pulumi.md', 'docs/demo.png', 'CONTRIBUTING.md']) {
      expect(targets).toContain(doc);
    }
  });

  it.each(documents())('%s: every relative link resolves', (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it('finds the repository paths named in code spans', () => {
    expect(repositoryPaths('`src/config.ts` and `tests/unit/` but not `npm test`, `events/<file>.json`, `src/a b` or\n```\n`src/in-code.ts`\n```\n')).toEqual([
      'src/config.ts',
      'tests/unit/',
    ]);
  });

  it.each(documents())('%s: every file or folder named in a code span exists', (file) => {
    expect(missingPaths(file)).toEqual([]);
  });
});
