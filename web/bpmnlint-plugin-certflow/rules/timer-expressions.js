const { is } = require('bpmnlint-utils');

// A timer says when it fires in a way an engine reads: an ISO 8601 date, duration or cycle, or an
// expression over process variables (an identifier or a ${...}/#{...} expression), not prose.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;
const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
const ISO_CYCLE = /^R\d*\/.+$/;
const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*|[$#]\{.+\})$/;

function readable(text) {
  const body = (text || '').trim();
  return [ ISO_DATE, ISO_DURATION, ISO_CYCLE, VARIABLE ].some(pattern => pattern.test(body));
}

module.exports = function() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:TimerEventDefinition')) {
      return;
    }
    const value = node.timeDate || node.timeDuration || node.timeCycle;
    if (!value) {
      reporter.report(node.id, 'Timer has no timeDate, timeDuration or timeCycle');
    } else if (!readable(value.body)) {
      reporter.report(node.id, `Timer "${ value.body }" is neither ISO 8601 nor an expression over a variable`);
    }
  }
  return { check };
};
