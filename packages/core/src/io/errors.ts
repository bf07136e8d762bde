/** Error for a model file that is missing, unreadable or malformed; the message starts with the file name. */
export class ModelFileError extends Error {
  override name = 'ModelFileError';
  /** The file the error is about. */
  readonly file: string;

  constructor(file: string, what: string) {
    super(`${file}: ${what}`);
    this.file = file;
  }
}

/** An input file that cannot be read as data (not a regular file, too large, changed while read); names the file. */
export class InputFileError extends Error {
  override name = 'InputFileError';
  /** The file the error is about. */
  readonly file: string;
  /** What is wrong with it (the message without the file name). */
  readonly what: string;

  constructor(file: string, what: string) {
    super(`${file}: ${what}`);
    this.file = file;
    this.what = what;
  }
}
