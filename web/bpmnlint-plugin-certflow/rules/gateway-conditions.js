const { isAny } = require('bpmnlint-utils');

// A diverging exclusive or inclusive gateway chooses by conditions on process variables: each of its
// outgoing flows has a conditionExpression with a body, or is the gateway's default.
module.exports = function() {
  function check(node, reporter) {
    if (!isAny(node, [ 'bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway' ])) {
      return;
    }
    const outgoing = node.outgoing || [];
    if (outgoing.length < 2) {
      return;
    }
    outgoing.forEach(flow => {
      const condition = flow.conditionExpression;
      if (flow !== node.default && !(condition && condition.body && condition.body.trim())) {
        reporter.report(flow.id, `Flow out of ${ node.id } has no condition and is not its default`);
      }
    });
  }
  return { check };
};
