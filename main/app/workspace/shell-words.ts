// Splits a command line into words by the POSIX shell's quoting rules ('…', "…", backslashes), as
// Procfiles and supervisord (Python's shlex) write them. Anything else a shell would do — pipes,
// redirections, variables, globs, `~`, `a=b cmd` — is reported, so the caller can run the line through
// `sh -c` instead of passing such characters to the program as if they were plain text.

export interface ShellWords {
  words: string[];
  /** The first piece of shell syntax met (`|`, `$`, `VAR=`), or null when the words are all there is. */
  shellSyntax: string | null;
}

const SHELL_OPERATORS = new Set(['|', '&', ';', '<', '>', '(', ')', '`', '$', '*', '?', '[', '{', '}']);

export function splitShellWords(line: string): ShellWords {
  const words: string[] = [];
  let shellSyntax: string | null = null;
  let word = '';
  let inWord = false;
  let index = 0;
  const note = (what: string) => {
    shellSyntax ??= what;
  };
  while (index < line.length) {
    const char = line[index]!;
    if (char === ' ' || char === '\t' || char === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      index++;
      continue;
    }
    if (!inWord && char === '~') note('~');
    if (!inWord && char === '#') break; // a comment, as the shell and shlex read it
    inWord = true;
    if (char === "'") {
      const end = line.indexOf("'", index + 1);
      if (end < 0) throw new Error(`unterminated ' quote in: ${line}`);
      word += line.slice(index + 1, end);
      index = end + 1;
    } else if (char === '"') {
      index++;
      while (index < line.length && line[index] !== '"') {
        const inner = line[index]!;
        if (inner === '$' || inner === '`') note(inner);
        if (inner === '\\' && index + 1 < line.length && '$`"\\\n'.includes(line[index + 1]!)) index++;
        word += line[index];
        index++;
      }
      if (index >= line.length) throw new Error(`unterminated " quote in: ${line}`);
      index++;
    } else if (char === '\\') {
      if (index + 1 < line.length) word += line[index + 1];
      index += 2;
    } else {
      if (SHELL_OPERATORS.has(char)) note(char);
      if (char === '=' && words.length === 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(word)) note(`${word}=`);
      word += char;
      index++;
    }
  }
  if (inWord) words.push(word);
  return { words, shellSyntax };
}
