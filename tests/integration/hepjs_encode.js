#!/usr/bin/env node
// HEP3 packets encoded by sipcapture's own npm hep-js (pinned in scripts/bootstrap.sh, installed in
// .deps/node): an encoder independent of the tests' one in capture.py.
//
// stdin: JSON, one packet or a list: {"rcinfo": {...}, "payload": "text", "chunks": {"5": "hex", ...}}.
//   rcinfo goes to HEPjs.encapsulate(payload, rcinfo) as is (its keys: protocolFamily, protocol, srcIp,
//   dstIp, srcPort, dstPort, timeSeconds, timeUseconds, payloadType, captureId, hepNodeName, capturePass,
//   correlation_id, proto_type + mos, transaction_type).
//   "chunks": {"type" or "vendor:type": hex body}: chunks hep-js has no field for (its encapsulate writes
//   IPv4 address chunks only), added through its own addVendorExtensions mechanism (vendor 0 when not
//   given); each body must be ASCII bytes, because hep-js writes extension strings as UTF-8.
// stdout: one line of hex per packet.
'use strict';
const path = require('path');

const deps = process.env.HOMER_DEPS_DIR || path.join(__dirname, '..', '..', '.deps');
const HEPjs = require(path.join(deps, 'node', 'node_modules', 'hep-js'));

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (part) => { input += part; });
process.stdin.on('end', () => {
  const request = JSON.parse(input);
  const packets = Array.isArray(request) ? request : [request];
  const lines = packets.map((p) => {
    const rcinfo = Object.assign({}, p.rcinfo);
    for (const [name, hex] of Object.entries(p.chunks || {})) {
      const [vendor, type] = name.includes(':') ? name.split(':').map(Number) : [0, Number(name)];
      const body = Buffer.from(hex, 'hex');
      if (body.some((b) => b > 0x7f)) throw new Error(`chunk ${name}: hep-js writes UTF-8, use ASCII bytes`);
      const key = `homer_test_chunk_${vendor}_${type}`;
      HEPjs.addVendorExtensions({[vendor]: {[type]: {keyName: key, type: 'string'}}});
      rcinfo[key] = body.toString('latin1');
    }
    return HEPjs.encapsulate(p.payload, rcinfo).toString('hex');
  });
  process.stdout.write(lines.join('\n') + '\n');
});
