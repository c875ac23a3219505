/**
 * Progress while the CLI waits: on a terminal one line redrawn in place with a spinner and the
 * elapsed time; elsewhere (a pipe, CI log) a plain line each time the state changes, never spinner
 * frames.
 */
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export class Progress {
  readonly #stream: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #tty: boolean;
  readonly #started = Date.now();
  #text = "";
  #frame = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(stream: NodeJS.WritableStream & { isTTY?: boolean }) {
    this.#stream = stream;
    this.#tty = stream.isTTY === true;
    if (this.#tty) {
      this.#timer = setInterval(() => this.#draw(), 100);
      this.#timer.unref();
    }
  }

  /** Shows `text` as the current state (printed once per change off a terminal). */
  update(text: string): void {
    if (text === this.#text) return;
    this.#text = text;
    if (this.#tty) this.#draw();
    else this.#stream.write(`${text}\n`);
  }

  /** Clears the spinner line; what follows prints on a clean line. */
  stop(): void {
    clearInterval(this.#timer);
    if (this.#tty) this.#stream.write("\r\x1b[2K");
  }

  #draw(): void {
    const seconds = Math.floor((Date.now() - this.#started) / 1000);
    this.#frame = (this.#frame + 1) % FRAMES.length;
    this.#stream.write(`\r\x1b[2K${FRAMES[this.#frame]} ${this.#text} (${seconds}s)`);
  }
}
