#!/usr/bin/env node
/**
 * Operator CLI: `npm run -s prompt-cache -- report --usage FILE [--config FILE] [--format markdown|csv|json] [--out FILE]`.
 * Thin: parses arguments, reads files, calls the pure core, writes the result. Bad input exits 2 with one line naming the
 * file, the line or field and the problem; nothing is written then.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, parseConfig, type PromptCacheConfig } from '../lambda/core/config';
import { buildReport } from '../lambda/core/report';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../lambda/core/report-format';
import { parseUsageFile, UsageFileError } from '../lambda/core/usage';
import { loadConfigFile } from '../lib/config';

/** Exit code for bad input (arguments, config, usage files). */
export const EXIT_BAD_INPUT = 2;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

class BadInput extends Error {}

function readUsageText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BadInput(code === 'ENOENT' ? `${file}: file not found; check the --usage path` : `${file}: cannot read the file (${code ?? String(err)})`);
  }
}

function loadConfig(file: string | undefined): PromptCacheConfig {
  try {
    return file === undefined ? parseConfig({}, 'built-in defaults') : loadConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigError) throw new BadInput(`invalid config in ${err.source}: ${err.problems.join('; ')}`);
    throw err;
  }
}

/** Writes through a temporary file and a rename, so a failed run never leaves half a report behind. */
function writeAtomically(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

interface ReportOptions {
  usage?: string;
  region?: string;
  config?: string;
  format: ReportFormat;
  out?: string;
}

function report(opts: ReportOptions, io: CliIo): void {
  if (opts.usage === undefined) {
    throw new BadInput(
      opts.region === undefined
        ? 'report needs --usage FILE'
        : 'report --region (reading AWS/Bedrock metrics from CloudWatch) is not available yet; use --usage FILE',
    );
  }
  const config = loadConfig(opts.config);
  let usage;
  try {
    usage = parseUsageFile(readUsageText(opts.usage), opts.usage);
  } catch (err) {
    if (err instanceof UsageFileError) throw new BadInput(err.message);
    throw err;
  }
  const text = renderReport(buildReport(usage, config), opts.format, `Prompt cache report: ${basename(opts.usage)}`);
  if (opts.out === undefined) io.stdout(text);
  else writeAtomically(opts.out, text);
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('prompt-cache')
    .description('Amazon Bedrock prompt caching: savings reports and the savings publisher')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program
    .command('report')
    .description('hit ratios and dollar savings per model, from a usage file')
    .option('--usage <file>', 'aggregate JSON {"models":[...]} or JSON Lines of {"modelId","usage"} (InvokeModel or Converse usage blocks)')
    .option('--region <region>', 'read AWS/Bedrock metrics from CloudWatch (not available yet)')
    .option('--config <file>', 'JSON config (models, pricing overrides, thresholds); built-in defaults without it')
    .addOption(new Option('--format <format>', 'output format').choices(REPORT_FORMATS).default('markdown'))
    .option('--out <file>', 'write to this file instead of stdout')
    .action((opts: ReportOptions) => report(opts, io));
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    if (err instanceof BadInput) {
      io.stderr(`error: ${err.message}\n`);
      return EXIT_BAD_INPUT;
    }
    io.stderr(`error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  }).then((code) => {
    process.exitCode = code;
  });
}
