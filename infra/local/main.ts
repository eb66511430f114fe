// `npm start`: the whole system on this machine. Goes through the `complaints` CLI as `complaints local start`,
// so `npm start -- --help` prints the options and a bad option prints what is wrong and the usage (exit 2).
import { main } from '../../bin/cli.ts';
import { silenceSdkNodeVersionWarning } from '../../bin/sdk-warning.ts';

silenceSdkNodeVersionWarning();
const io = { out: (text: string) => console.log(text), err: (text: string) => console.error(text) };
main(['local', 'start', ...process.argv.slice(2)], io).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`complaints: ${error.message}`);
    process.exit(1);
  },
);
