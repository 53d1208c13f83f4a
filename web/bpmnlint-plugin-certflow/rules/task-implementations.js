const { isAny } = require('bpmnlint-utils');
const { extension, attribute } = require('./util');

// A service or send task says what runs it: an operation (implementation="##WebService" with an
// operationRef) or a Zeebe-style taskDefinition extension naming the job type (the activity).
module.exports = function() {
  function check(node, reporter) {
    if (!isAny(node, [ 'bpmn:ServiceTask', 'bpmn:SendTask' ])) {
      return;
    }
    const definition = extension(node, 'certflow:taskDefinition') || extension(node, 'zeebe:taskDefinition');
    if (!node.operationRef && !attribute(definition, 'type')) {
      reporter.report(node.id, 'Task has no implementation (operationRef or taskDefinition type)');
    }
  }
  return { check };
};
