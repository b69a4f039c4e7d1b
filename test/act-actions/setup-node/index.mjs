// Stand-in for actions/setup-node@v4 under act (see ../README.md): act's host runner already
// puts Node 24 first on PATH; this only checks that it is the version the workflow asks for.
const wanted = (process.env['INPUT_NODE-VERSION'] ?? '').split('.')[0];
const major = process.versions.node.split('.')[0];
if (wanted && wanted !== major) {
  console.log(
    `::error::node-version ${wanted} asked for, this runner has ${process.versions.node}`,
  );
  process.exit(1);
}
console.log(`Node ${process.versions.node}`);
