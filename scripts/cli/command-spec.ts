import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { z } from 'zod';
import { viZodError } from '../../core/shared/zod-vi.ts';
import { type CliContext, UsageError } from './context.ts';

/**
 * One operator command, declared in one place (`COMMANDS` in commands.ts): what `--help` prints,
 * the options `node:util` `parseArgs` accepts, how the strings become validated arguments and what
 * runs. Adding a command is adding one entry there.
 */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
export type ParsedValues = ReturnType<typeof parseArgs>['values'];

export interface CommandSpec<A> {
  /** One line for the command list of `npm run cli -- --help`. */
  summary: string;
  /** The command line after `npm run cli -- `, e.g. `units list`. */
  synopsis: string;
  /** What the command does, one printed line each (Vietnamese). */
  description: readonly string[];
  /** Complete command lines after `npm run cli -- `. */
  examples?: readonly string[];
  options?: OptionSpecs;
  /** How many positional arguments the command takes (none by default). */
  positionals?: number;
  /** Validates and converts what parseArgs read; throws UsageError with the operator's message. */
  parse(values: ParsedValues, positionals: string[]): A;
  run(ctx: CliContext, args: A): Promise<unknown>;
}

/** The prefix every printed command line starts with. */
export const CLI = 'npm run cli --';

/** Validates `input` with a zod schema; the first issue becomes the UsageError's message. */
export function validate<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input, { error: viZodError });
  if (!result.success) {
    throw new UsageError(result.error.issues[0]?.message ?? 'tham số không hợp lệ');
  }
  return result.data;
}

/** "offsetsDays – cần danh sách, nhận được chữ", or the reason alone when it concerns no one field. */
export function fieldReason(path: string | undefined, reason: string | undefined): string {
  return path ? `${path} – ${reason ?? ''}` : (reason ?? '');
}

/** The usage page of one command (`npm run cli -- <command> --help`). */
export function commandUsage(spec: CommandSpec<unknown>): string[] {
  const lines = [`Cách dùng: ${CLI} ${spec.synopsis}`, '', ...spec.description];
  if (spec.examples !== undefined && spec.examples.length > 0) {
    lines.push('', 'Ví dụ:', ...spec.examples.map((example) => `  ${CLI} ${example}`));
  }
  return lines;
}

function listOptions(spec: CommandSpec<unknown>): string {
  const names = Object.keys(spec.options ?? {}).map((name) => `--${name}`);
  return names.length > 0 ? names.join(', ') : '(không có)';
}

/** parseArgs' own errors (English, with codes) as the operator's Vietnamese usage errors. */
function toUsageError(error: unknown, command: string, spec: CommandSpec<unknown>): unknown {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') {
    return error;
  }
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
  const option = /--[\w-]+/.exec(error.message)?.[0] ?? quoted;
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(
        `tùy chọn không hợp lệ cho "${command}": ${quoted}. Tùy chọn hợp lệ: ${listOptions(spec)}`,
      );
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`thừa đối số cho "${command}": "${quoted}"`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(error.message)) {
        return new UsageError(`${option} không nhận giá trị`);
      }
      if (/ambiguous/.test(error.message)) {
        return new UsageError(
          `thiếu giá trị cho ${option} (giá trị bắt đầu bằng "-" thì viết ${option}=<giá trị>)`,
        );
      }
      return new UsageError(`thiếu giá trị cho ${option}`);
    default:
      return error;
  }
}

/**
 * Reads one command's arguments with parseArgs (strict: an unknown option is an error). Returns
 * 'help' when `--help`/`-h` is among them, whatever else is wrong.
 */
export function readArguments(
  command: string,
  spec: CommandSpec<unknown>,
  rest: readonly string[],
): 'help' | { values: ParsedValues; positionals: string[] } {
  if (rest.includes('--help') || rest.includes('-h')) {
    return 'help';
  }
  let parsed: { values: ParsedValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...rest],
      options: spec.options ?? {},
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw toUsageError(error, command, spec);
  }
  const extra = parsed.positionals.slice(spec.positionals ?? 0);
  if (extra.length > 0) {
    throw new UsageError(`thừa đối số cho "${command}": ${extra.map((a) => `"${a}"`).join(' ')}`);
  }
  return parsed;
}
