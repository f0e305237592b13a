// One mocha run for the whole suite: unit tests beside each package and end-to-end tests in test/.
module.exports = {
  spec: ["packages/*/test/**/*.test.ts", "cli/test/**/*.test.ts", "service/test/**/*.test.ts", "test/**/*.test.ts"],
  "node-option": ["import=tsx"],
  reporter: require.resolve("./test/support/reporter.cjs"),
  timeout: 120000,
  slow: 5000,
  exit: true,
};
