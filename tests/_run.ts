/**
 * Running a program to its end in a test and reading what it printed.
 *
 * @module
 */

/** The exit code and the decoded output of a finished process. */
export interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command` with stdout and stderr piped, waits for it, and decodes both. */
export async function runToEnd(
  command: string,
  options: Omit<Deno.CommandOptions, "stdout" | "stderr">,
): Promise<ProcessResult> {
  const output = await new Deno.Command(command, {
    ...options,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
