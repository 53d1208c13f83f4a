// What the rules share: reading extension elements that bpmn-moddle keeps as generic elements.

function extensions(element) {
  const ext = element.extensionElements;
  return (ext && ext.values) || [];
}

function extension(element, type) {
  return extensions(element).find(e => e.$type === type);
}

function attribute(generic, name) {
  return generic && (generic[name] || (generic.$attrs && generic.$attrs[name]));
}

module.exports = { extensions, extension, attribute };
