const { is } = require('bpmnlint-utils');

// A user task names who performs it: a potentialOwner whose resourceAssignmentExpression has a body.
module.exports = function() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:UserTask')) {
      return;
    }
    const owners = (node.resources || []).filter(r => is(r, 'bpmn:PotentialOwner'));
    const named = owners.some(owner => {
      const expression = owner.resourceAssignmentExpression && owner.resourceAssignmentExpression.expression;
      return expression && expression.body && expression.body.trim();
    });
    if (!named) {
      reporter.report(node.id, 'User task has no potentialOwner with a role');
    }
  }
  return { check };
};
