const { is, isAny } = require('bpmnlint-utils');

// Every message event and every send or receive task names the bpmn:message it sends or waits for.
module.exports = function() {
  function check(node, reporter) {
    if (is(node, 'bpmn:MessageEventDefinition') && !node.messageRef) {
      reporter.report(node.id, 'Message event refers to no bpmn:message');
    }
    if (isAny(node, [ 'bpmn:SendTask', 'bpmn:ReceiveTask' ]) && !node.messageRef) {
      reporter.report(node.id, 'Task refers to no bpmn:message');
    }
  }
  return { check };
};
