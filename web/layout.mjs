// Lays out graphs with ELK (elkjs, web/package.json): reads a JSON list of ELK graphs on stdin, writes the
// list of laid-out graphs on stdout. certflow/bpmn_layout.py builds the graphs and reads the positions;
// all choices (algorithm, options, sizes) are made there, this only runs ELK, one process for many graphs.
import ELK from 'elkjs/lib/elk.bundled.js';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const graphs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const elk = new ELK();
const laidOut = [];
for (const graph of graphs) laidOut.push(await elk.layout(graph));
process.stdout.write(JSON.stringify(laidOut));
