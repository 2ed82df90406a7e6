/**
 * `mspe-run completion <shell>` prints a tab-completion script; `mspe-run __complete <words...>`
 * (hidden) is what those scripts call: the completions come from one engine (`complete.ts`), and
 * each script only passes the words and hands the answers to its shell. Internal to the CLI.
 *
 * @module
 */

import { defineCommand } from "../command.ts";
import { HELP_FLAGS } from "../settings/flags.ts";
import { complete, SHELLS } from "../completion/complete.ts";
import { ExitCode } from "../exit_codes.ts";
import { UsageError } from "../usage_error.ts";

/*
 * The scripts. Each finds the words up to the cursor, runs `mspe-run __complete` with them (the
 * word being completed last, empty for a new word) and offers the lines it prints. Candidates that
 * end in `=` (an argument name) get no space after them.
 */

const POWERSHELL =
  `# mspe-run tab completion for PowerShell (Windows PowerShell 5.1 and PowerShell 7).
# Install: add this line to your profile (notepad $PROFILE):
#   mspe-run completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName 'mspe-run', 'mspe-run.exe' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    # The words before the cursor; each is sent as w:<word> because Windows PowerShell 5.1 drops
    # empty arguments to programs, and the word being completed may be empty.
    $words = @($commandAst.CommandElements | Select-Object -Skip 1 |
        Where-Object { $_.Extent.EndOffset -le $cursorPosition } |
        ForEach-Object { "w:$($_.Extent.Text)" })
    if ($wordToComplete -eq '') { $words += 'w:' }
    mspe-run __complete --prefixed @words 2>$null | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
}
`;

const BASH = `# mspe-run tab completion for bash.
# Install: add this line to ~/.bashrc:
#   source <(mspe-run completion bash)
_mspe_run_complete() {
    local line="\${COMP_LINE:0:COMP_POINT}"
    local -a words
    read -ra words <<< "$line"
    [[ "$line" =~ [[:space:]]$ ]] && words+=("")
    # bash splits name=value at "="; the reply replaces only the part after the split.
    local full="\${words[\${#words[@]}-1]}"
    local cur="\${COMP_WORDS[COMP_CWORD]}"
    local prefix="\${full:0:\${#full}-\${#cur}}"
    local IFS=$'\\n'
    local -a found
    found=($(command mspe-run __complete "\${words[@]:1}" 2>/dev/null))
    COMPREPLY=()
    local candidate
    for candidate in "\${found[@]}"; do
        COMPREPLY+=("\${candidate#"$prefix"}")
    done
    if [[ \${#COMPREPLY[@]} -eq 1 && "\${COMPREPLY[0]}" == *= ]]; then
        compopt -o nospace 2>/dev/null
    fi
}
complete -o default -F _mspe_run_complete mspe-run
`;

const ZSH = `#compdef mspe-run
# mspe-run tab completion for zsh.
# Install: add this line to ~/.zshrc (after compinit):
#   source <(mspe-run completion zsh)
_mspe_run() {
    local -a found with_space without_space
    found=("\${(@f)$(mspe-run __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
    local candidate
    for candidate in "\${found[@]}"; do
        [[ -z "$candidate" ]] && continue
        if [[ "$candidate" == *= ]]; then
            without_space+=("$candidate")
        else
            with_space+=("$candidate")
        fi
    done
    (( \${#without_space} )) && compadd -Q -S '' -- "\${without_space[@]}"
    (( \${#with_space} )) && compadd -Q -- "\${with_space[@]}"
    return 0
}
if (( $+functions[compdef] )); then
    compdef _mspe_run mspe-run
fi
`;

const FISH = `# mspe-run tab completion for fish.
# Install: mspe-run completion fish > ~/.config/fish/completions/mspe-run.fish
function __mspe_run_complete
    set -l words (commandline -opc)
    set -e words[1]
    mspe-run __complete $words (commandline -ct) 2>/dev/null
end
complete -c mspe-run -f -a '(__mspe_run_complete)'
`;

/** The completion script for `shell`. */
export function completionScript(shell: typeof SHELLS[number]): string {
  switch (shell) {
    case "powershell":
      return POWERSHELL;
    case "bash":
      return BASH;
    case "zsh":
      return ZSH;
    case "fish":
      return FISH;
  }
}

/** `mspe-run completion`. */
export const completionCommand = defineCommand({
  name: "completion",
  summary: "Print a tab-completion script for your shell.",
  usage: "mspe-run completion <powershell|bash|zsh|fish>",
  description: `The script completes commands, flags, function names, argument names (name=),
allowed values and profile names. It asks mspe-run itself (mspe-run __complete), so it always
knows the functions and flags of the mspe-run it calls. Install it once:
  PowerShell  add to $PROFILE:  mspe-run completion powershell | Out-String | Invoke-Expression
  bash        add to ~/.bashrc: source <(mspe-run completion bash)
  zsh         add to ~/.zshrc:  source <(mspe-run completion zsh)
  fish        mspe-run completion fish > ~/.config/fish/completions/mspe-run.fish`,
  flags: HELP_FLAGS,
  examples: [
    "# PowerShell: add completion to your profile (made if missing), then open a new window",
    "if (-not (Test-Path $PROFILE)) { New-Item -ItemType File -Force $PROFILE | Out-Null }",
    "Add-Content $PROFILE 'mspe-run completion powershell | Out-String | Invoke-Expression'",
    "# bash",
    "echo 'source <(mspe-run completion bash)' >> ~/.bashrc",
    "# fish",
    "mspe-run completion fish > ~/.config/fish/completions/mspe-run.fish",
  ],
  run(parsed, io) {
    const [shell, ...extra] = parsed.positionals;
    const known = SHELLS as readonly string[];
    if (shell === undefined || extra.length > 0 || !known.includes(shell)) {
      throw new UsageError(
        `Name one shell: mspe-run completion ${SHELLS.join("|")}` +
          (shell !== undefined && !known.includes(shell)
            ? ` (not ${JSON.stringify(shell)}).`
            : "."),
      );
    }
    io.stdout.write(completionScript(shell as typeof SHELLS[number]));
    return Promise.resolve(ExitCode.Ok);
  },
});

/** `mspe-run __complete`: the candidates for the last word, one a line. Never fails loudly. */
export const completeCommand = defineCommand({
  name: "__complete",
  summary: "The completions for a command line (what the completion scripts call).",
  usage: "mspe-run __complete [--prefixed] <words...>",
  description: `The words after mspe-run, up to the cursor; the last is the word being completed
(empty for a new one). With --prefixed each word starts with "w:" (PowerShell drops empty words).`,
  flags: {},
  examples: ["mspe-run __complete call GetUs"],
  passThrough: true,
  async run(parsed, io, cli) {
    let words = [...parsed.positionals];
    if (words[0] === "--prefixed") words = words.slice(1).map((w) => w.replace(/^w:/, ""));
    let candidates: string[] = [];
    try {
      candidates = await complete(words, io, cli.commands);
    } catch {
      // A completion that fails offers nothing rather than printing an error into the prompt.
    }
    if (candidates.length > 0) io.stdout.write(`${candidates.join("\n")}\n`);
    return ExitCode.Ok;
  },
});
