/**
 * Names in the local data directory that commands other than the runtime need (export, import), kept apart
 * from the runtime's modules so those commands do not load every handler.
 */
export const LOCAL_TABLE = 'complaints-local';

/** Written while a runtime runs on the directory: its addresses and process id. */
export const RUNNING_FILE = 'running.json';
