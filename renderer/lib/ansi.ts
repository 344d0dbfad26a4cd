import { AnsiUp } from 'ansi_up';

export { stripAnsi } from '../../main/protocol/ansi.js';

// Log lines carry terminal colour codes. ansi_up turns them into HTML with every character of the
// program's own text escaped, so its output is the only HTML the log view ever inserts.

/**
 * One stream's colour state. A terminal keeps a colour until it is reset, even across lines, so each
 * stream (stdout, stderr) gets its own converter and feeds it its lines in order.
 */
export class AnsiToHtml {
  readonly #converter = new AnsiUp();

  constructor() {
    // The defaults, set anyway: this is the safety of the whole log view.
    this.#converter.escape_html = true;
    // Classes for the 16 basic colours, so the stylesheet can pick readable shades for light and dark.
    this.#converter.use_classes = true;
  }

  /** HTML for one line: escaped text in `<span>`s with `ansi-*-fg` / `ansi-*-bg` classes. */
  toHtml(line: string): string {
    return neutralizeLinks(this.#converter.ansi_to_html(line));
  }
}

/** Converts one piece of text on its own, starting from the default colours. */
export function ansiToHtml(text: string): string {
  return new AnsiToHtml().toHtml(text);
}

/**
 * ansi_up turns OSC 8 hyperlinks into `<a href>`. A click on one would navigate the app's window away,
 * so links become plain spans showing the target on hover. The program's text is already escaped, so
 * every `<a` in the output is ansi_up's own.
 */
function neutralizeLinks(html: string): string {
  if (!html.includes('<a ')) return html;
  return html.replace(/<a href="([^"]*)">/g, '<span class="ansi-link" title="$1">').replaceAll('</a>', '</span>');
}
