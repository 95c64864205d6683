/** A tool could not be provisioned: names the tool, what went wrong, and what to do. */
export class ProvisionError extends Error {
  constructor(tool: string, problem: string, remedy: string) {
    super(`Could not provision ${tool}: ${problem}\n  What to do: ${remedy}`);
    this.name = 'ProvisionError';
  }
}
