/** Error for a model file that is missing, unreadable or malformed; the message starts with the file name. */
export class ModelFileError extends Error {
  /** The file the error is about. */
  readonly file: string;

  constructor(file: string, what: string) {
    super(`${file}: ${what}`);
    this.name = 'ModelFileError';
    this.file = file;
  }
}
