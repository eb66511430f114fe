/** `--help` or `-h` anywhere among a command's arguments asks for its usage, whatever else is there. */
export function asksForHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}
