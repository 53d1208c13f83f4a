const { is } = require('bpmnlint-utils');

// The models are drawn for a Chinese-speaking body: a flow's label is Chinese, like the element names.
const HAN = /\p{Script=Han}/u;
const LATIN_WORD = /[A-Za-z]{2,}/;

module.exports = function() {
  function check(node, reporter) {
    if (is(node, 'bpmn:SequenceFlow') && node.name && (!HAN.test(node.name) || LATIN_WORD.test(node.name))) {
      reporter.report(node.id, `Flow label "${ node.name }" is not Chinese`);
    }
  }
  return { check };
};
