// `npm start`: the whole system on this machine.
import { localStart } from './cli.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const io = { out: (text: string) => console.log(text), err: (text: string) => console.error(text) };
localStart(process.argv.slice(2), io).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`complaints: ${error.message}`);
    process.exit(1);
  },
);
