// Runs every audit of graphql-http's serverAudits against the URL given.
// Exits non-zero when a MUST fails; SHOULD/MAY notices are printed.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://127.0.0.1:8080/graphql');
  process.exit(2);
}
let ok = 0;
let mustFailures = 0;
let notices = 0;
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  if (result.status === 'ok') {
    ok++;
    continue;
  }
  if (audit.name.startsWith('MUST')) mustFailures++;
  else notices++;
  console.log(`${result.status.toUpperCase()} ${audit.id} ${audit.name}: ${result.reason}`);
}
console.log(`graphql-http audit: ${ok} passed, ${mustFailures} MUST failures, ${notices} other notices`);
process.exit(mustFailures ? 1 : 0);
