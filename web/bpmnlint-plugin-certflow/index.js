// certflow's bpmnlint rules: the models must be executable BPMN (issue 14). Found by bpmnlint as the
// plugin "certflow" when web/ is on NODE_PATH (tests/workflows/test_bpmn_executable.py runs it so).
const executable = [
  'executable-process',
  'gateway-conditions',
  'timer-expressions',
  'message-references',
  'task-performers',
  'task-implementations',
  'chinese-flow-labels'
];

module.exports = {
  configs: {
    executable: {
      rules: Object.fromEntries(executable.map(rule => [ rule, 'error' ]))
    }
  },
  rules: Object.fromEntries(executable.map(rule => [ rule, `./rules/${ rule }` ]))
};
