import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandCatalog } from './commands.ts';

/**
 * The README, the CLI's help and the docs agree (issue 18 §5): the README's command list (the
 * block under "## Operator CLI") names exactly the CLI's commands, every `npm run cli -- …` line of
 * the README and docs/ names a command that exists with options it takes, and each command's
 * usage line (`--help`) shows every option it takes.
 */

const REPO = path.resolve(import.meta.dirname, '..', '..');
const CATALOG = commandCatalog();
const OPTIONS = new Map<string, readonly string[]>(CATALOG.map((c) => [c.name, c.options]));

/** Commands left out of the README's list on purpose, with the reason. */
const NOT_LISTED: Record<string, string> = {
  'pledges ack': 'renamed to `funds ack`; kept only to say so to an operator who types the old name',
};

interface Mention {
  /** Where it is written: "README.md:349". */
  at: string;
  command: string;
  flags: string[];
}

/** The command a segment starts with: its longest run of leading words that names one. */
function commandAt(words: readonly string[]): string | undefined {
  for (let n = Math.min(3, words.length); n >= 1; n--) {
    const name = words.slice(0, n).join(' ');
    if (name === 'help' || OPTIONS.has(name)) {
      return name;
    }
  }
  return undefined;
}

/**
 * The commands of one `npm run cli -- …` line: alternatives are separated by " | " and either
 * name another command (`people deactivate 12 | people activate 12`) or go on with the same one
 * (`campaign close X --on 2027-01-15 | --reopen`). An unknown command is returned as its words.
 */
function commandsOf(line: string, at: string): Mention[] {
  const mentions: Mention[] = [];
  for (const segment of line.split(/\s\|\s/)) {
    const words = segment.trim().split(/\s+/).filter(Boolean);
    const flags = [...segment.matchAll(/(?:^|[\s[])--([a-z][\w-]*)/g)].map((m) => m[1] ?? '');
    const command = commandAt(words);
    const last = mentions.at(-1);
    if (command === undefined && last !== undefined) {
      last.flags.push(...flags);
    } else {
      mentions.push({ at, command: command ?? words.slice(0, 2).join(' '), flags });
    }
  }
  return mentions;
}

/** Every `npm run cli -- …` of a Markdown file: in code blocks, and in inline code (which may wrap). */
function mentionsIn(file: string): Mention[] {
  const text = fs.readFileSync(path.join(REPO, file), 'utf8');
  const lineOf = (index: number) => `${file}:${text.slice(0, index).split('\n').length}`;
  const snippets: { code: string; at: string }[] = [];
  // Code blocks, a line each; what is left of the text for inline code.
  const prose = text.replace(/^```[^\n]*\n([\s\S]*?)^```/gm, (block, body: string, index: number) => {
    let offset = index + block.indexOf(body);
    for (const line of body.split('\n')) {
      snippets.push({ code: line, at: lineOf(offset) });
      offset += line.length + 1;
    }
    return ' '.repeat(block.length);
  });
  for (const match of prose.matchAll(/`([^`]+)`/g)) {
    snippets.push({ code: (match[1] ?? '').replace(/\n/g, ' '), at: lineOf(match.index) });
  }
  return snippets.flatMap(({ code, at }) => {
    const line = /npm run (?:--silent )?cli -- (.*)/.exec(code)?.[1];
    // Up to a shell comment or the next command; "npm run cli -- export …" names a command in prose.
    const command = line?.split(/\s#\s|\s&&\s/)[0]?.replace(/\s*…$/, '');
    return command ? commandsOf(command, at) : [];
  });
}

/** The README's command list: the lines of the first code block under "## Operator CLI". */
function readmeList(): Mention[] {
  const text = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const section = text.split(/^## Operator CLI$/m)[1] ?? '';
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .filter((line) => line.startsWith('npm run cli -- '))
    .flatMap((line) => commandsOf(line.slice('npm run cli -- '.length), 'README.md (Operator CLI)'));
}

const DOCS = [
  'README.md',
  ...fs
    .readdirSync(path.join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe('the README, the CLI help and the docs agree', () => {
  it('the README lists every command of the CLI, and no other', () => {
    const listed = new Set(readmeList().map((m) => m.command));
    expect(listed.size).toBeGreaterThan(20);
    const missing = CATALOG.map((c) => c.name).filter((name) => !listed.has(name) && !(name in NOT_LISTED));
    const unknown = [...listed].filter((name) => name !== 'help' && !OPTIONS.has(name));
    expect({ missingFromReadme: missing, unknownToCli: unknown }).toEqual({
      missingFromReadme: [],
      unknownToCli: [],
    });
    expect(listed.has('help')).toBe(true);
  });

  it('every command line in the README and docs/ names a command with options it takes', () => {
    const mentions = DOCS.flatMap(mentionsIn);
    expect(mentions.length).toBeGreaterThan(60);
    const wrong = mentions.flatMap((m) => {
      if (m.command !== 'help' && !OPTIONS.has(m.command)) {
        return [`${m.at}: no command "${m.command}"`];
      }
      const takes = OPTIONS.get(m.command) ?? [];
      return m.flags
        .filter((flag) => flag !== 'help' && !takes.includes(flag))
        .map((flag) => `${m.at}: ${m.command} takes no --${flag}`);
    });
    expect(wrong).toEqual([]);
  });

  it("each command's usage line shows every option it takes, and only those", () => {
    const wrong = CATALOG.flatMap((c) => {
      const shown = new Set([...c.synopsis.matchAll(/--([a-z][\w-]*)/g)].map((m) => m[1]));
      return [
        ...c.options.filter((o) => !shown.has(o)).map((o) => `${c.name}: --${o} not in its usage line`),
        ...[...shown].filter((o) => !c.options.includes(o ?? '')).map((o) => `${c.name}: --${o} unknown`),
      ];
    });
    expect(wrong).toEqual([]);
  });

  it('finds a command missing on either side (the check itself)', () => {
    expect(commandsOf('people deactivate 12 | people activate 12', 'x').map((m) => m.command)).toEqual([
      'people deactivate',
      'people activate',
    ]);
    expect(commandsOf('campaign close X --on 2027-01-15 | --reopen', 'x')).toEqual([
      { at: 'x', command: 'campaign close', flags: ['on', 'reopen'] },
    ]);
    expect(commandsOf('reports list [--period 2025-02|quarterly|final] [--unit 01840]', 'x')).toEqual([
      { at: 'x', command: 'reports list', flags: ['period', 'unit'] },
    ]);
    expect(commandsOf('units frobnicate --x', 'x')[0]?.command).toBe('units frobnicate');
  });
});
