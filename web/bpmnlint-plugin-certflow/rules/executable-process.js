const { is } = require('bpmnlint-utils');

// Every process can be run by an engine: isExecutable="true".
module.exports = function() {
  function check(node, reporter) {
    if (is(node, 'bpmn:Process') && node.isExecutable !== true) {
      reporter.report(node.id, 'Process is not executable (isExecutable="true")');
    }
  }
  return { check };
};
