// Mocha settings for every run. The list of test files is in scripts/test.sh (a spec list here
// would be merged with the files named on the command line, making single-file runs impossible).
module.exports = {
  "node-option": ["import=tsx"],
  reporter: require.resolve("./test/support/reporter.cjs"),
  // The test PKI's OCSP/CRL/TSA servers for the whole run (revocation is checked online by default).
  require: [require.resolve("./test/support/servers-hook.ts")],
  timeout: 300000,
  slow: 5000,
  exit: true,
};
