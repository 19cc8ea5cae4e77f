// Runs graphql-http's auditServer against the URL in argv[2] and prints one
// JSON object: {"results": [{"id", "name", "status", "reason"}]}. The package
// is resolved from NODE_PATH (the test installs graphql-http@1.23.1 into a
// temporary directory), so nothing is committed from the registry.
const { auditServer } = require('graphql-http');

async function main() {
  const url = process.argv[2];
  const results = await auditServer({ url });
  const out = results.map((r) => ({
    id: r.id,
    name: r.name,
    status: r.status,
    reason: r.status === 'ok' ? null : r.reason,
  }));
  process.stdout.write(JSON.stringify({ results: out }) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
