#include "lake/demo_lake_sql.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

namespace homer::lake::demo {
namespace {

// Every random choice is a bit slice of hash(seed, day, index, ...): DuckDB's hash is stable for
// a given version, so the rows depend only on the seed and the date, and the SQL runs in
// parallel (random() with setseed would not be reproducible across threads).
constexpr const char* kMacrosSql = R"sql(
CREATE OR REPLACE TEMP MACRO demo_ix(v, n) AS 1 + CAST((v) % n AS BIGINT);
CREATE OR REPLACE TEMP MACRO demo_hex(v) AS lower(hex(v));
-- x: 32 hex digits, printf('%016x%016x', a, b). Pass a column: a macro repeats its argument's expression.
CREATE OR REPLACE TEMP MACRO demo_uuid(x) AS
  concat(x[1:8], '-', x[9:12], '-4', x[14:16], '-a', x[18:20], '-', x[21:32]);
CREATE OR REPLACE TEMP MACRO demo_ts(day_ts, seconds) AS day_ts + to_microseconds(CAST(seconds * 1e6 AS BIGINT));
CREATE OR REPLACE TEMP MACRO demo_ua(seed, v, uas) AS hash(seed, 7, CAST(v % uas AS BIGINT));
CREATE OR REPLACE TEMP MACRO demo_e164(v) AS concat('+', ['49', '44', '1', '33', '31', '34', '39', '46'][demo_ix(v, 8)],
  lpad(((v >> 3) % 1000000000)::VARCHAR, 9, '0'));
CREATE OR REPLACE TEMP MACRO demo_user(hu) AS CASE WHEN (hu >> 46) % 10 < 6 THEN demo_e164(hash(hu))
  WHEN (hu >> 46) % 10 < 8 THEN concat('2', lpad(((hu >> 12) % 1000)::VARCHAR, 3, '0'))
  ELSE concat(['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory',
               'oscar', 'peggy', 'trent', 'victor', 'walter'][demo_ix(hu >> 12, 16)], (hu >> 16) % 100) END;
CREATE OR REPLACE TEMP MACRO demo_ua_ip(hu) AS CASE WHEN hu % 10 < 7
  THEN concat(['10.10.', '10.20.', '192.168.', '172.16.'][demo_ix(hu >> 4, 4)], (hu >> 8) % 16 + 1, '.',
              (hu >> 12) % 250 + 2)
  ELSE concat(['198.51.100.', '203.0.113.', '192.0.2.'][demo_ix(hu >> 4, 3)], (hu >> 8) % 250 + 2) END;
CREATE OR REPLACE TEMP MACRO demo_tcp(hu) AS (hu >> 20) % 100 < 12;
CREATE OR REPLACE TEMP MACRO demo_ua_port(hu) AS
  CASE WHEN (hu >> 28) % 3 = 0 AND NOT demo_tcp(hu) THEN 5060 ELSE 1024 + (hu >> 30) % 64000 END;
CREATE OR REPLACE TEMP MACRO demo_px_port(hu) AS
  CASE WHEN demo_tcp(hu) AND (hu >> 24) % 2 = 0 THEN 5061 ELSE 5060 END;
CREATE OR REPLACE TEMP MACRO demo_transport(hu) AS
  CASE WHEN NOT demo_tcp(hu) THEN 'UDP' WHEN demo_px_port(hu) = 5061 THEN 'TLS' ELSE 'TCP' END;
CREATE OR REPLACE TEMP MACRO demo_ua_agent(hu) AS ['Yealink SIP-T46S 66.86.0.15', 'Grandstream GXP2170 1.0.11.6',
  'Linphone/5.2.0 (belle-sip/5.2.0)', 'Zoiper rv2.10.19.7', 'MicroSIP/3.21.3', 'Cisco-CP8845/12.8.1',
  'PolycomVVX-VVX_450-UA/6.4.3.5018', 'Bria 6 release 6.5.4 stamp 112231'][demo_ix(hu >> 36, 8)];
CREATE OR REPLACE TEMP MACRO demo_px(hu) AS CAST((hu >> 52) % 6 AS BIGINT);
CREATE OR REPLACE TEMP MACRO demo_px_ip(p) AS
  ['203.0.113.10', '203.0.113.11', '198.51.100.20', '10.0.0.5', '10.0.0.6', '172.16.1.20'][1 + p];
CREATE OR REPLACE TEMP MACRO demo_px_media(p) AS
  ['203.0.113.50', '203.0.113.51', '198.51.100.60', '10.0.0.5', '10.0.0.6', '172.16.1.21'][1 + p];
CREATE OR REPLACE TEMP MACRO demo_domain(p) AS ['sip.example.com', 'sip.example.com', 'voip.example.net',
  'pbx.acme.local', 'pbx.acme.local', 'ims.example.org'][1 + p];
CREATE OR REPLACE TEMP MACRO demo_px_agent(p) AS ['kamailio (5.7.4 (x86_64/linux))',
  'kamailio (5.7.4 (x86_64/linux))', 'OpenSIPS (3.4.5 (x86_64/linux))', 'Asterisk PBX 20.6.0', 'Asterisk PBX 20.6.0',
  'FreeSWITCH-mod_sofia/1.10.11-release~64bit'][1 + p];
CREATE OR REPLACE TEMP MACRO demo_px_host(p) AS ['sbc01 kamailio[2871]', 'sbc02 kamailio[3012]',
  'edge01 opensips[1877]', 'pbx01 asterisk[944]', 'pbx02 asterisk[951]', 'ims01 freeswitch[4410]'][1 + p];
CREATE OR REPLACE TEMP MACRO demo_node(p) AS ['homer01', 'homer01', 'homer02', 'homer01', 'homer01', 'homer02'][1 + p];
-- only the SBCs (proxies 0-2) run an RTP/RTCP capture agent: media reports exist for their calls
CREATE OR REPLACE TEMP MACRO demo_media_seen(p) AS p < 3;
CREATE OR REPLACE TEMP MACRO demo_capture(p) AS [2001, 2001, 2002, 2001, 2001, 2002][1 + p];
CREATE OR REPLACE TEMP MACRO demo_codec(k) AS [0, 8, 9][1 + k];
CREATE OR REPLACE TEMP MACRO demo_codec_name(k) AS ['PCMU', 'PCMA', 'G722'][1 + k];
CREATE OR REPLACE TEMP MACRO demo_mos(r) AS  -- E-model R factor to MOS
  CAST(1 + 0.035 * r + 0.000007 * r * (r - 60) * (100 - r) AS DECIMAL(4, 2));
-- DECIMAL renders to text several times faster than DOUBLE
CREATE OR REPLACE TEMP MACRO demo_d1(x) AS CAST(x AS DECIMAL(13, 1));
CREATE OR REPLACE TEMP MACRO demo_d2(x) AS CAST(x AS DECIMAL(14, 2));
CREATE OR REPLACE TEMP MACRO demo_d3(x) AS CAST(x AS DECIMAL(15, 3));
CREATE OR REPLACE TEMP MACRO demo_via(transport, ip, port, branch) AS
  concat(transport, ' ', ip, ':', port, ';branch=z9hG4bK', branch);
CREATE OR REPLACE TEMP MACRO demo_sip(first_line, via, is_req, via_tail, from_hdr, to_hdr, call_id, cseq, cseq_method,
                                      headers, agent, content_type, body) AS
  concat(first_line, E'\r\nVia: SIP/2.0/', via, via_tail, CASE WHEN is_req THEN E'\r\nMax-Forwards: 70' ELSE '' END,
         E'\r\nFrom: ', from_hdr, E'\r\nTo: ', to_hdr, E'\r\nCall-ID: ', call_id, E'\r\nCSeq: ', cseq, ' ', cseq_method,
         E'\r\n', headers, CASE WHEN is_req THEN 'User-Agent: ' ELSE 'Server: ' END, agent,
         CASE WHEN content_type = '' THEN '' ELSE concat(E'\r\nContent-Type: ', content_type) END,
         E'\r\nContent-Length: ', strlen(body), E'\r\n\r\n', body);
)sql";

/// Event sources. An event (call, registration, ping) is placed by one endpoint (a phone or soft
/// client, the "A" side) homed on a proxy or PBX (the "B" side); `u` in [0, 1) is its place in
/// the day. Calls add timing (start on the business-hours curve, end before midnight), an outcome
/// template and media quality.
constexpr const char* kSourcesSql = R"sql(
CREATE OR REPLACE TEMP MACRO demo_events(seed, day, first, last, n, uas, salt) AS TABLE
SELECT e, h, hu, day_ts, (e + (h & 65535) / 65536.0) / n AS u,
  demo_px(hu) AS px, demo_ua_ip(hu) AS a_ip, demo_ua_port(hu) AS a_port, demo_px_ip(px) AS b_ip,
  demo_px_port(hu) AS b_port, demo_transport(hu) AS transport, demo_user(hu) AS user, demo_domain(px) AS domain,
  demo_node(px) AS node_id, demo_capture(px) AS capture_id
FROM (SELECT e, h, demo_ua(seed, h, uas) AS hu, (DATE '1970-01-01' + CAST(day AS INTEGER))::TIMESTAMP AS day_ts
      FROM (SELECT e, hash(seed, day, e, salt) AS h FROM range(first, last) t(e)));
CREATE OR REPLACE TEMP MACRO demo_calls(seed, day, first, last, n, uas, salt) AS TABLE
SELECT e AS c, h, h2, hu, day_ts, tod, ring_s, dur_s, lat, tpl, b_hangs, px, a_ip, a_port, b_ip, b_port,
       transport, user AS caller, callee, domain, call_id, ftag, ttag, a_rtp, b_rtp, b_media, codec_k, loss, jitter,
       node_id, capture_id
FROM (
  SELECT *, hash(h, 1) AS h2, hash(h, 3) AS hm, u * 1024 AS uk, CAST(floor(uk) AS BIGINT) AS k,
    demo_tod()[k + 1] + (demo_tod()[k + 2] - demo_tod()[k + 1]) * (uk - k) AS tod,
    1.5 + 18 * ((h >> 8) & 1023) / 1024.0 AS ring_s,
    least(greatest(12, 5 - 150 * ln(((h >> 18) & 1048575) / 1048576.0 + 1e-6)), 86398 - tod - ring_s) AS dur_s,
    0.6 + ((h >> 38) & 255) / 212.0 AS lat,
    (h >> 46) % 100 AS pick,
    CASE WHEN pick < 50 THEN 0 WHEN pick < 62 THEN 1 WHEN pick < 70 THEN 2 WHEN pick < 78 THEN 3
         WHEN pick < 82 THEN 4 WHEN pick < 85 THEN 5 WHEN pick < 95 THEN 6 ELSE 7 END AS tpl,
    (hm >> 40) % 2 = 1 AS b_hangs,
    CASE WHEN (h2 >> 56) % 10 < 7 THEN demo_e164(h2 >> 17)
         ELSE concat('1', lpad(((h2 >> 8) % 1000)::VARCHAR, 3, '0')) END AS callee,
    concat(demo_hex((h2 >> 8) | 36028797018963968), '@', a_ip) AS call_id,
    demo_hex(h >> 32) AS ftag, concat('as', demo_hex(h2 & 4294967295)) AS ttag,
    10000 + 2 * ((h2 >> 20) % 10000) AS a_rtp, 20000 + 2 * ((h2 >> 36) % 10000) AS b_rtp,
    demo_px_media(px) AS b_media,
    CAST(hm % 3 AS BIGINT) AS codec_k, (hm >> 8) % 100 AS q, ((hm >> 16) % 100) / 100 AS qf,
    CASE WHEN q < 85 THEN 0.005 * qf WHEN q < 96 THEN 0.01 + 0.02 * qf ELSE 0.05 + 0.1 * qf END AS loss,
    CASE WHEN q < 85 THEN 8 + (hm >> 24) % 30 WHEN q < 96 THEN 40 + (hm >> 24) % 80
         ELSE 120 + (hm >> 24) % 300 END AS jitter
  FROM demo_events(seed, day, first, last, n, uas, salt));
CREATE OR REPLACE TEMP TABLE demo_ping_flow AS SELECT * FROM (VALUES
  (0, 1, 'B', 'OPTIONS', '', 'OPTIONS', 0, 0), (0, 2, 'A', '200', 'OK', 'OPTIONS', 12, 0),
  (1, 1, 'A', 'SUBSCRIBE', '', 'SUBSCRIBE', 0, 0), (1, 2, 'B', '202', 'Accepted', 'SUBSCRIBE', 4, 0),
  (1, 3, 'B', 'NOTIFY', '', 'NOTIFY', 30, 1), (1, 4, 'A', '200', 'OK', 'NOTIFY', 45, 0),
  (2, 1, 'A', 'MESSAGE', '', 'MESSAGE', 0, 2), (2, 2, 'B', '202', 'Accepted', 'MESSAGE', 6, 0)
) f(tpl, step, dir, msg, reason, cseq_method, at_ms, body);
)sql";

// Message flows per call outcome. dir: A caller->proxy, B proxy->caller, H the side hanging up,
// R the other side. phase: offset from the INVITE (0), after ringing (1), after the talk time (2).
// body: 1 SDP, 2 DTMF. auth: 1 challenge, 2 credentials. rel: 1 reliable 183, 2 PRACK.
constexpr const char* kFlowSql = R"sql(
CREATE OR REPLACE TEMP TABLE demo_call_flow AS SELECT * FROM (VALUES
  (0, 1, 'A', 'INVITE', '', 1, 'INVITE', 0, 0, 1, false, false, true, 0, 0),
  (0, 2, 'B', '100', 'Trying', 1, 'INVITE', 0, 3, 0, false, false, false, 0, 0),
  (0, 3, 'B', '180', 'Ringing', 1, 'INVITE', 0, 55, 0, true, false, true, 0, 0),
  (0, 4, 'B', '200', 'OK', 1, 'INVITE', 1, 0, 1, true, false, true, 0, 0),
  (0, 5, 'A', 'ACK', '', 1, 'ACK', 1, 40, 0, true, true, false, 0, 0),
  (0, 6, 'H', 'BYE', '', 2, 'BYE', 2, 0, 0, true, true, false, 0, 0),
  (0, 7, 'R', '200', 'OK', 2, 'BYE', 2, 25, 0, true, false, false, 0, 0),
  (1, 1, 'A', 'INVITE', '', 1, 'INVITE', 0, 0, 1, false, false, true, 0, 0),
  (1, 2, 'B', '407', 'Proxy Authentication Required', 1, 'INVITE', 0, 2, 0, true, false, false, 1, 0),
  (1, 3, 'A', 'ACK', '', 1, 'ACK', 0, 30, 0, true, false, false, 0, 0),
  (1, 4, 'A', 'INVITE', '', 2, 'INVITE', 0, 45, 1, false, false, true, 2, 0),
  (1, 5, 'B', '100', 'Trying', 2, 'INVITE', 0, 48, 0, false, false, false, 0, 0),
  (1, 6, 'B', '180', 'Ringing', 2, 'INVITE', 0, 110, 0, true, false, true, 0, 0),
  (1, 7, 'B', '200', 'OK', 2, 'INVITE', 1, 0, 1, true, false, true, 0, 0),
  (1, 8, 'A', 'ACK', '', 2, 'ACK', 1, 40, 0, true, true, false, 0, 0),
  (1, 9, 'H', 'BYE', '', 3, 'BYE', 2, 0, 0, true, true, false, 0, 0),
  (1, 10, 'R', '200', 'OK', 3, 'BYE', 2, 25, 0, true, false, false, 0, 0),
  (2, 1, 'A', 'INVITE', '', 1, 'INVITE', 0, 0, 1, false, false, true, 0, 0),
  (2, 2, 'B', '100', 'Trying', 1, 'INVITE', 0, 3, 0, false, false, false, 0, 0),
  (2, 3, 'B', '183', 'Session Progress', 1, 'INVITE', 0, 70, 1, true, false, true, 0, 1),
  (2, 4, 'A', 'PRACK', '', 2, 'PRACK', 0, 95, 0, true, true, false, 0, 2),
  (2, 5, 'B', '200', 'OK', 2, 'PRACK', 0, 100, 0, true, false, false, 0, 0),
  (2, 6, 'B', '200', 'OK', 1, 'INVITE', 1, 0, 1, true, false, true, 0, 0),
  (2, 7, 'A', 'ACK', '', 1, 'ACK', 1, 40, 0, true, true, false, 0, 0),
  (2, 8, 'A', 'INFO', '', 3, 'INFO', 1, 3000, 2, true, true, false, 0, 0),
  (2, 9, 'B', '200', 'OK', 3, 'INFO', 1, 3020, 0, true, false, false, 0, 0),
  (2, 10, 'A', 'UPDATE', '', 4, 'UPDATE', 1, 6000, 1, true, true, true, 0, 0),
  (2, 11, 'B', '200', 'OK', 4, 'UPDATE', 1, 6030, 1, true, false, true, 0, 0),
  (2, 12, 'H', 'BYE', '', 5, 'BYE', 2, 0, 0, true, true, false, 0, 0),
  (2, 13, 'R', '200', 'OK', 5, 'BYE', 2, 25, 0, true, false, false, 0, 0),
  (3, 1, 'A', 'INVITE', '', 1, 'INVITE', 0, 0, 1, false, false, true, 0, 0),
  (3, 2, 'B', '100', 'Trying', 1, 'INVITE', 0, 3, 0, false, false, false, 0, 0),
  (3, 3, 'B', '180', 'Ringing', 1, 'INVITE', 0, 60, 0, true, false, true, 0, 0),
  (3, 4, 'B', '486', 'Busy Here', 1, 'INVITE', 0, 700, 0, true, false, false, 0, 0),
  (3, 5, 'A', 'ACK', '', 1, 'ACK', 0, 735, 0, true, false, false, 0, 0),
  (4, 1, 'A', 'INVITE', '', 1, 'INVITE', 0, 0, 1, false, false, true, 0, 0),
  (4, 2, 'B', '100', 'Trying', 1, 'INVITE', 0, 3, 0, false, false, false, 0, 0),
  (4, 3, 'B', '404', 'Not Found', 1, 'INVITE', 0, 25, 0, true, false, false, 0, 0),
  (4, 4, 'A', 'ACK', '', 1, 'ACK', 0, 60, 0, true, false, false, 0, 0),
  (5, 1, 'A', 'INVITE', '', 1, 'INVITE', 0, 0, 1, false, false, true, 0, 0),
  (5, 2, 'B', '100', 'Trying', 1, 'INVITE', 0, 3, 0, false, false, false, 0, 0),
  (5, 3, 'B', '180', 'Ringing', 1, 'INVITE', 0, 60, 0, true, false, true, 0, 0),
  (5, 4, 'B', '408', 'Request Timeout', 1, 'INVITE', 1, 30000, 0, true, false, false, 0, 0),
  (5, 5, 'A', 'ACK', '', 1, 'ACK', 1, 30035, 0, true, false, false, 0, 0),
  (6, 1, 'A', 'INVITE', '', 1, 'INVITE', 0, 0, 1, false, false, true, 0, 0),
  (6, 2, 'B', '100', 'Trying', 1, 'INVITE', 0, 3, 0, false, false, false, 0, 0),
  (6, 3, 'B', '180', 'Ringing', 1, 'INVITE', 0, 60, 0, true, false, true, 0, 0),
  (6, 4, 'A', 'CANCEL', '', 1, 'CANCEL', 1, 0, 0, false, false, false, 0, 0),
  (6, 5, 'B', '200', 'OK', 1, 'CANCEL', 1, 5, 0, true, false, false, 0, 0),
  (6, 6, 'B', '487', 'Request Terminated', 1, 'INVITE', 1, 8, 0, true, false, false, 0, 0),
  (6, 7, 'A', 'ACK', '', 1, 'ACK', 1, 40, 0, true, false, false, 0, 0),
  (7, 1, 'A', 'INVITE', '', 1, 'INVITE', 0, 0, 1, false, false, true, 0, 0),
  (7, 2, 'B', '100', 'Trying', 1, 'INVITE', 0, 3, 0, false, false, false, 0, 0),
  (7, 3, 'B', '503', 'Service Unavailable', 1, 'INVITE', 0, 40, 0, true, false, false, 0, 0),
  (7, 4, 'A', 'ACK', '', 1, 'ACK', 0, 75, 0, true, false, false, 0, 0)
) f(tpl, step, dir, msg, reason, cseq, cseq_method, phase, at_ms, body, to_tag, dialog, contact, auth, rel);
)sql";


constexpr const char* kCallQuery = R"sql(
WITH msgs AS (
  SELECT * EXCLUDE (cseq, dir),
    CASE dir WHEN 'A' THEN true WHEN 'B' THEN false WHEN 'H' THEN NOT b_hangs ELSE b_hangs END AS from_a,
    reason = '' AS is_req, from_a = is_req AS orig_a,
    CASE WHEN dir IN ('H', 'R') AND b_hangs THEN 101 ELSE cseq END AS cseq,
    demo_ts(day_ts, tod + CASE WHEN phase >= 1 THEN ring_s ELSE 0 END + CASE WHEN phase = 2 THEN dur_s ELSE 0 END
                    + at_ms * CASE WHEN phase = 0 OR at_ms < 1000 THEN lat ELSE 1 END / 1000
                    + (hash(h, step) & 255) / 1e6) AS ts
  FROM @SRC@ JOIN demo_call_flow USING (tpl)
  ORDER BY ts, c, step
), parts AS (
  SELECT *, printf('%016x%016x', hash(h, step), h2) AS u32,
    CASE body WHEN 0 THEN '' WHEN 2 THEN concat('Signal=', h2 % 10, E'\r\nDuration=160\r\n')
      ELSE concat(E'v=0\r\no=', CASE WHEN from_a THEN 'user' ELSE 'root' END, ' ', h >> 40, ' ', (h >> 40) + cseq,
        ' IN IP4 ', CASE WHEN from_a THEN a_ip ELSE b_media END,
        E'\r\ns=', CASE WHEN from_a THEN 'call' ELSE 'session' END,
        E'\r\nc=IN IP4 ', CASE WHEN from_a THEN a_ip ELSE b_media END, E'\r\nt=0 0\r\nm=audio ',
        CASE WHEN from_a THEN a_rtp ELSE b_rtp END,
        CASE WHEN from_a
             THEN E' RTP/AVP 0 8 9 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:9 G722/8000\r\n'
             ELSE concat(' RTP/AVP ', demo_codec(codec_k), E' 101\r\na=rtpmap:', demo_codec(codec_k), ' ',
                         demo_codec_name(codec_k), E'/8000\r\n') END,
        E'a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n') END AS body_text
  FROM msgs
)
SELECT demo_uuid(u32) AS uuid, day_ts::DATE AS date, ts AS timestamp, call_id AS session_id, caller, callee,
  CASE WHEN from_a THEN a_ip ELSE b_ip END AS src_ip, CASE WHEN from_a THEN b_ip ELSE a_ip END AS dst_ip,
  CAST(CASE WHEN from_a THEN a_port ELSE b_port END AS UINTEGER) AS src_port,
  CAST(CASE WHEN from_a THEN b_port ELSE a_port END AS UINTEGER) AS dst_port,
  msg AS method, CASE WHEN is_req THEN '' ELSE msg END AS response_code, cseq_method,
  CAST(CASE WHEN transport = 'UDP' THEN 17 ELSE 6 END AS UINTEGER) AS protocol, node_id, call_id AS cid,
  demo_sip(
    CASE WHEN NOT is_req THEN concat('SIP/2.0 ', msg, ' ', reason)
         WHEN dialog AND from_a THEN concat(msg, ' sip:', callee, '@', b_ip, ':', b_port, ' SIP/2.0')
         WHEN dialog THEN concat(msg, ' sip:', caller, '@', a_ip, ':', a_port, ' SIP/2.0')
         ELSE concat(msg, ' sip:', callee, '@', domain, ';user=phone SIP/2.0') END,
    demo_via(transport, CASE WHEN orig_a THEN a_ip ELSE b_ip END, CASE WHEN orig_a THEN a_port ELSE b_port END,
             -- CANCEL and the ACK of a failure reuse the INVITE's transaction branch
             demo_hex(hash(h, cseq, CASE WHEN cseq_method = 'CANCEL' OR (msg = 'ACK' AND NOT dialog) THEN 'INVITE'
                                         ELSE cseq_method END) >> 16)),
    is_req, CASE WHEN is_req THEN ';rport' WHEN orig_a THEN concat(';rport=', a_port, ';received=', a_ip) ELSE '' END,
    concat('<sip:', CASE WHEN orig_a THEN caller ELSE callee END, '@', domain, '>;tag=',
           CASE WHEN orig_a THEN ftag ELSE ttag END),
    concat('<sip:', CASE WHEN orig_a THEN callee ELSE caller END, '@', domain, '>',
           CASE WHEN NOT orig_a THEN concat(';tag=', ftag) WHEN to_tag THEN concat(';tag=', ttag) ELSE '' END),
    call_id, cseq, cseq_method,
    concat(
      CASE WHEN NOT contact THEN ''
           ELSE concat('Contact: <sip:', CASE WHEN from_a THEN concat(caller, '@', a_ip, ':', a_port)
                                              ELSE concat(callee, '@', b_ip, ':', b_port) END,
                       CASE transport WHEN 'UDP' THEN '' WHEN 'TCP' THEN ';transport=tcp' ELSE ';transport=tls' END,
                       E'>\r\n') END,
      CASE auth WHEN 0 THEN ''
        WHEN 1 THEN concat('Proxy-Authenticate: Digest realm="', domain, '", nonce="', demo_hex(hash(h, 5)),
                           E'", algorithm=MD5, qop="auth"\r\n')
        ELSE concat('Proxy-Authorization: Digest username="', caller, '", realm="', domain, '", nonce="',
                    demo_hex(hash(h, 5)), '", uri="sip:', callee, '@', domain, '", response="',
                    printf('%016x%016x', hash(h, 6), hash(h, 7)), E'", algorithm=MD5\r\n') END,
      CASE rel WHEN 0 THEN '' WHEN 1 THEN E'Require: 100rel\r\nRSeq: 1\r\n' ELSE E'RAck: 1 1 INVITE\r\n' END,
      CASE WHEN msg = 'INVITE' THEN E'@ALLOW@\r\nSupported: 100rel, timer, replaces, norefersub\r\n'
           WHEN msg = '200' AND cseq_method = 'INVITE' THEN E'@ALLOW@\r\n'
           WHEN msg = 'BYE' THEN E'Reason: Q.850;cause=16;text="Normal call clearing"\r\n' ELSE '' END),
    CASE WHEN from_a THEN demo_ua_agent(hu) ELSE demo_px_agent(px) END,
    CASE body WHEN 0 THEN '' WHEN 1 THEN 'application/sdp' ELSE 'application/dtmf-relay' END,
    body_text) AS payload,
  concat('{"correlation_id":"', call_id, '","capture_id":', capture_id,
         ',"transaction_type":"call"}')::JSON AS data_extra
FROM parts
)sql";

/// Registrations (REGISTER -> 401 -> REGISTER with credentials -> 200, a few 403) spread evenly
/// over the day, by the same endpoints that place the calls.
constexpr const char* kRegistrationQuery = R"sql(
WITH msgs AS (
  SELECT * EXCLUDE (msg, reason), printf('%016x%016x', hash(h, step), hu) AS u32, dir = 'A' AS is_req,
    step = 4 AND (h >> 20) % 100 < 3 AS rejected,
    CASE WHEN rejected THEN '403' ELSE msg END AS msg, CASE WHEN rejected THEN 'Forbidden' ELSE reason END AS reason,
    concat(demo_hex(h >> 8), '@', a_ip) AS call_id, demo_hex(hash(h, 4) >> 32) AS ftag,
    demo_hex(hash(h, 3) >> 32) AS ttag,
    demo_ts(day_ts, 86390 * u + at_ms / 1000 + (hash(h, step) & 255) / 1e6) AS ts
  FROM @SRC@ CROSS JOIN (VALUES (1, 'A', 'REGISTER', '', 1, 0), (2, 'B', '401', 'Unauthorized', 1, 3),
                                (3, 'A', 'REGISTER', '', 2, 40), (4, 'B', '200', 'OK', 2, 46))
                        f(step, dir, msg, reason, cseq, at_ms)
  ORDER BY ts, e, step
)
SELECT demo_uuid(u32) AS uuid, day_ts::DATE AS date, ts AS timestamp, call_id AS session_id,
  concat('sip:', user, '@', domain) AS aor, concat('sip:', user, '@', a_ip, ':', a_port) AS contact,
  CASE WHEN msg = '403' THEN '' ELSE '3600' END AS expires, demo_ua_agent(hu) AS user_agent,
  CASE WHEN is_req THEN a_ip ELSE b_ip END AS src_ip, CASE WHEN is_req THEN b_ip ELSE a_ip END AS dst_ip,
  CAST(CASE WHEN is_req THEN a_port ELSE b_port END AS UINTEGER) AS src_port,
  CAST(CASE WHEN is_req THEN b_port ELSE a_port END AS UINTEGER) AS dst_port,
  msg AS method, CASE WHEN is_req THEN '' ELSE msg END AS response_code,
  CAST(CASE WHEN transport = 'UDP' THEN 17 ELSE 6 END AS UINTEGER) AS protocol, node_id,
  demo_sip(CASE WHEN is_req THEN concat('REGISTER sip:', domain, ' SIP/2.0')
                ELSE concat('SIP/2.0 ', msg, ' ', reason) END,
    demo_via(transport, a_ip, a_port, demo_hex(hash(h, cseq) >> 16)), is_req,
    CASE WHEN is_req THEN ';rport' ELSE concat(';rport=', a_port, ';received=', a_ip) END,
    concat('<sip:', user, '@', domain, '>;tag=', ftag),
    concat('<sip:', user, '@', domain, '>', CASE WHEN is_req THEN '' ELSE concat(';tag=', ttag) END),
    call_id, cseq, 'REGISTER',
    CASE WHEN step = 2 THEN concat('WWW-Authenticate: Digest realm="', domain, '", nonce="', demo_hex(hash(h, 5)),
                                   E'", algorithm=MD5, qop="auth"\r\n')
         WHEN msg = '403' THEN ''
         ELSE concat('Contact: <sip:', user, '@', a_ip, ':', a_port,
           CASE WHEN is_req THEN E'>\r\nExpires: 3600\r\n'
                ELSE concat(E'>;expires=3600\r\nDate: ', strftime(ts, '%a, %d %b %Y %H:%M:%S GMT'), E'\r\n') END,
           CASE step WHEN 1 THEN E'@ALLOW@\r\n'
             WHEN 3 THEN concat('Authorization: Digest username="', user, '", realm="', domain, '", nonce="',
                                demo_hex(hash(h, 5)), '", uri="sip:', domain, '", response="',
                                printf('%016x%016x', hash(h, 6), hash(h, 7)), '", algorithm=MD5, cnonce="',
                                demo_hex(hash(h, 8)), E'", qop=auth, nc=00000001\r\n') ELSE '' END) END,
    CASE WHEN is_req THEN demo_ua_agent(hu) ELSE demo_px_agent(px) END, '', '') AS payload,
  concat('{"correlation_id":"', call_id, '","capture_id":', capture_id,
         ',"transaction_type":"registration"}')::JSON AS data_extra
FROM msgs
)sql";

/// Out-of-dialog traffic: proxy keepalive OPTIONS, MWI SUBSCRIBE/NOTIFY and instant MESSAGEs.
constexpr const char* kDefaultQuery = R"sql(
WITH msgs AS (
  SELECT *, printf('%016x%016x', hash(h, step), hu) AS u32, reason = '' AS is_req,
    (dir = 'A') = is_req AS orig_a, demo_user(hash(h, 9)) AS peer,
    concat(demo_hex(h >> 8), '@', CASE WHEN tpl = 0 THEN b_ip ELSE a_ip END) AS call_id,
    demo_hex(hash(h, 4) >> 32) AS ftag, demo_hex(hash(h, 3) >> 32) AS ttag,
    CASE tpl WHEN 0 THEN 1 + (h >> 8) % 5000 ELSE 1 END AS cseq,
    concat('<sip:', user, '@', domain, '>') AS a_uri,
    CASE tpl WHEN 0 THEN concat('<sip:keepalive@', domain, '>') WHEN 1 THEN a_uri
             ELSE concat('<sip:', peer, '@', domain, '>') END AS b_uri,
    demo_ts(day_ts, 86390 * u + at_ms / 1000 + (hash(h, step) & 255) / 1e6) AS ts,
    CASE body WHEN 0 THEN ''
      WHEN 1 THEN concat('Messages-Waiting: ', CASE WHEN h % 3 = 0 THEN 'no' ELSE 'yes' END,
                         E'\r\nMessage-Account: sip:', user, '@', domain, E'\r\nVoice-Message: ', h % 4, '/',
                         (h >> 3) % 12, E' (0/0)\r\n')
      ELSE ['Running 5 minutes late, start without me', 'Can you call me back?', 'Conference bridge is 4711',
            'Please check the ticket queue', 'Lunch at 12:30?'][demo_ix(h >> 5, 5)] END AS body_text
  FROM (SELECT *, CASE WHEN (h >> 40) % 100 < 70 THEN 0 WHEN (h >> 40) % 100 < 90 THEN 1 ELSE 2 END AS tpl
        FROM @SRC@) JOIN demo_ping_flow USING (tpl)
  ORDER BY ts, e, step
)
SELECT demo_uuid(u32) AS uuid, day_ts::DATE AS date, ts AS timestamp, call_id AS session_id,
  CASE WHEN dir = 'A' THEN a_ip ELSE b_ip END AS src_ip, CASE WHEN dir = 'A' THEN b_ip ELSE a_ip END AS dst_ip,
  CAST(CASE WHEN dir = 'A' THEN a_port ELSE b_port END AS UINTEGER) AS src_port,
  CAST(CASE WHEN dir = 'A' THEN b_port ELSE a_port END AS UINTEGER) AS dst_port,
  msg AS method, CASE WHEN is_req THEN '' ELSE msg END AS response_code,
  CAST(CASE WHEN transport = 'UDP' THEN 17 ELSE 6 END AS UINTEGER) AS protocol, node_id, call_id AS cid,
  demo_sip(CASE WHEN NOT is_req THEN concat('SIP/2.0 ', msg, ' ', reason)
                WHEN dir = 'B' THEN concat(msg, ' sip:', user, '@', a_ip, ':', a_port, ' SIP/2.0')
                WHEN tpl = 2 THEN concat(msg, ' sip:', peer, '@', domain, ' SIP/2.0')
                ELSE concat(msg, ' sip:', user, '@', domain, ' SIP/2.0') END,
    demo_via(transport, CASE WHEN orig_a THEN a_ip ELSE b_ip END, CASE WHEN orig_a THEN a_port ELSE b_port END,
             demo_hex(hash(h, cseq_method) >> 16)),
    is_req, CASE WHEN is_req THEN ';rport' ELSE '' END,
    CASE WHEN orig_a THEN concat(a_uri, ';tag=', ftag) ELSE concat(b_uri, ';tag=', ttag) END,
    concat(CASE WHEN orig_a THEN b_uri ELSE a_uri END,
           CASE WHEN is_req AND msg <> 'NOTIFY' THEN '' WHEN orig_a THEN concat(';tag=', ttag)
                ELSE concat(';tag=', ftag) END),
    call_id, cseq, cseq_method,
    CASE msg WHEN 'SUBSCRIBE' THEN concat('Contact: <sip:', user, '@', a_ip, ':', a_port,
                                          E'>\r\nEvent: message-summary\r\nExpires: 3600',
                                          E'\r\nAccept: application/simple-message-summary\r\n')
             WHEN 'NOTIFY' THEN E'Event: message-summary\r\nSubscription-State: active;expires=3599\r\n'
             WHEN '202' THEN E'Expires: 3600\r\n'
             WHEN '200' THEN CASE WHEN tpl = 0
                                  THEN E'Accept: application/sdp\r\n@ALLOW@\r\nSupported: replaces, timer\r\n'
                                  ELSE '' END
             ELSE '' END,
    CASE WHEN dir = 'A' THEN demo_ua_agent(hu) ELSE demo_px_agent(px) END,
    CASE body WHEN 0 THEN '' WHEN 1 THEN 'application/simple-message-summary' ELSE 'text/plain;charset=UTF-8' END,
    body_text) AS payload,
  concat('{"correlation_id":"', call_id, '","capture_id":', capture_id,
         ',"transaction_type":"default"}')::JSON AS data_extra
FROM msgs
)sql";

/// RTCP sender reports of answered calls, both directions (a second pair for long calls), as
/// heplify renders them (JSON).
constexpr const char* kRtcpQuery = R"sql(
WITH reports AS (
  SELECT *, printf('%016x%016x', hash(h, slot, 5), h2) AS u32, slot % 2 = 1 AS from_b,
    1.3 + 0.8 * (slot % 2) + 30 * (slot // 2) AS at_s,
    least(1.0, loss * (0.7 + 0.6 * ((hash(h, slot) >> 8) % 100) / 100)) AS r_loss,
    CAST(jitter * (0.7 + 0.6 * ((hash(h, slot) >> 16) % 100) / 100) AS BIGINT) AS r_jitter,
    CAST(at_s * 50 AS BIGINT) AS packets, hash(h, 11) & 4294967295 AS ssrc_a, hash(h, 12) & 4294967295 AS ssrc_b,
    demo_ts(day_ts, tod + ring_s + at_s + (hash(h, slot) & 65535) / 1e6) AS ts
  FROM @SRC@ CROSS JOIN range(4) s(slot)
  WHERE tpl <= 2 AND demo_media_seen(px) AND slot < CASE WHEN dur_s >= 180 THEN 4 ELSE 2 END
  ORDER BY ts, c, slot
)
SELECT demo_uuid(u32) AS uuid, day_ts::DATE AS date, ts AS timestamp, call_id AS session_id,
  CASE WHEN from_b THEN b_media ELSE a_ip END AS src_ip, CASE WHEN from_b THEN a_ip ELSE b_media END AS dst_ip,
  CAST(CASE WHEN from_b THEN b_rtp ELSE a_rtp END + 1 AS UINTEGER) AS src_port,
  CAST(CASE WHEN from_b THEN a_rtp ELSE b_rtp END + 1 AS UINTEGER) AS dst_port,
  CAST(17 AS UINTEGER) AS protocol, node_id, call_id AS cid,
  concat('{"sender_information":{"ntp_timestamp_sec":', CAST(epoch(ts) AS BIGINT) + 2208988800,
    ',"ntp_timestamp_usec":', microsecond(ts) % 1000000, ',"rtp_timestamp":', (h2 >> 33) + packets * 160,
    ',"packets":', packets, ',"octets":', packets * 160, '},"ssrc":', CASE WHEN from_b THEN ssrc_b ELSE ssrc_a END,
    ',"type":200,"report_count":1,"report_blocks":[{"source_ssrc":', CASE WHEN from_b THEN ssrc_a ELSE ssrc_b END,
    ',"fraction_lost":', CAST(r_loss * 255 AS INTEGER), ',"packets_lost":', CAST(packets * r_loss AS BIGINT),
    ',"highest_seq_no":', (h >> 20) % 30000 + packets, ',"ia_jitter":', r_jitter,
    ',"lsr":', (CAST(epoch(ts) AS BIGINT) % 65536) * 65536, ',"dlsr":', (hash(h, slot) >> 24) % 20000,
    '}],"report_blocks_xr":{"type":0,"id":0,"fraction_lost":0,"fraction_discard":0,"burst_density":0,',
    '"gap_density":0,"burst_duration":0,"gap_duration":0,"round_trip_delay":0,"end_system_delay":0},"sdes_ssrc":',
    CASE WHEN from_b THEN ssrc_b ELSE ssrc_a END, '}') AS payload,
  concat('{"correlation_id":"', call_id, '","capture_id":', capture_id, ',"jitter":', r_jitter,
         ',"packet_loss":', demo_d2(r_loss * 100), '}')::JSON AS data_extra
FROM reports
)sql";

/// RTP agent QoS reports (HEP 34): one for the caller's stream when an answered call hangs up.
constexpr const char* kRtpAgentQuery = R"sql(
WITH reports AS (
  SELECT *, printf('%016x%016x', hash(h, 34), h2) AS u32,
    least(1.0, loss * (0.7 + 0.6 * ((hash(h, 34) >> 8) % 100) / 100)) AS r_loss,
    jitter / 8.0 * (0.7 + 0.6 * ((hash(h, 34) >> 16) % 100) / 100) AS jit_ms,
    greatest(0, 93.2 - 250 * r_loss - 0.1 * jit_ms) AS rf, CAST(dur_s * 50 AS BIGINT) AS expected,
    CAST(expected * r_loss AS BIGINT) AS lost, demo_ts(day_ts, tod + ring_s + dur_s + 0.15) AS ts
  FROM @SRC@ WHERE tpl <= 2 AND demo_media_seen(px)
  ORDER BY ts, c
)
SELECT demo_uuid(u32) AS uuid, day_ts::DATE AS date, ts AS timestamp,
  call_id AS session_id, a_ip AS src_ip, b_media AS dst_ip, CAST(a_rtp AS UINTEGER) AS src_port,
  CAST(b_rtp AS UINTEGER) AS dst_port, CAST(17 AS UINTEGER) AS protocol, node_id, call_id AS cid,
  concat('{"CORRELATION_ID":"', call_id, '","RTP_SIP_CALL_ID":"', call_id, '","DELTA":', demo_d3(20 + jit_ms / 10),
    ',"JITTER":', demo_d3(jit_ms), ',"REPORT_TS":', demo_d3(epoch(ts)), ',"TL_BYTE":', (expected - lost) * 160,
    ',"SKEW":', demo_d3(jit_ms / 4), ',"TOTAL_PK":', expected - lost, ',"EXPECTED_PK":', expected,
    ',"PACKET_LOSS":', lost,
    ',"MAX_JITTER":', demo_d3(jit_ms * 2.4), ',"MEAN_JITTER":', demo_d3(jit_ms * 0.9), ',"MIN_MOS":',
    demo_mos(greatest(0, rf - 6)), ',"MEAN_MOS":', demo_mos(greatest(0, rf - 1)), ',"MOS":', demo_mos(rf),
    ',"RFACTOR":', demo_d2(rf), ',"SRC_IP":"', a_ip, '","SRC_PORT":', a_rtp, ',"DST_IP":"', b_media,
    '","DST_PORT":', b_rtp,
    ',"CODEC_PT":', demo_codec(codec_k), ',"CLOCK":8000,"CODEC_NAME":"', demo_codec_name(codec_k),
    '","DIR":0,"PARTY":0,"TYPE":"HANGUP"}') AS payload,
  concat('{"correlation_id":"', call_id, '","capture_id":', capture_id, ',"mos":', demo_mos(rf),
         '}')::JSON AS data_extra
FROM reports
)sql";

/// RTCP-XR VQSessionReport (RFC 6035, HEP 35) the caller's phone publishes at hangup.
constexpr const char* kRtcpXrQuery = R"sql(
WITH reports AS (
  SELECT *, printf('%016x%016x', hash(h, 35), h2) AS u32, jitter / 8.0 AS jit_ms,
    greatest(0, 93.2 - 250 * loss - 0.1 * jit_ms) AS rf,
    demo_ts(day_ts, tod + ring_s) AS t_start, demo_ts(day_ts, tod + ring_s + dur_s) AS t_stop,
    demo_ts(day_ts, tod + ring_s + dur_s + 0.4) AS ts
  FROM @SRC@ WHERE tpl <= 2 AND demo_media_seen(px)
  ORDER BY ts, c
)
SELECT demo_uuid(u32) AS uuid, day_ts::DATE AS date, ts AS timestamp,
  call_id AS session_id, a_ip AS src_ip, b_ip AS dst_ip, CAST(a_port AS UINTEGER) AS src_port,
  CAST(b_port AS UINTEGER) AS dst_port, CAST(CASE WHEN transport = 'UDP' THEN 17 ELSE 6 END AS UINTEGER) AS protocol,
  node_id, call_id AS cid,
  concat(E'VQSessionReport: CallTerm\r\nCallID: ', call_id, E'\r\nLocalID: <sip:', caller, '@', domain,
    E'>\r\nRemoteID: <sip:', callee, '@', domain, E'>\r\nOrigID: <sip:', caller, '@', domain,
    E'>\r\nLocalAddr: IP=', a_ip, ' PORT=', a_rtp, ' SSRC=0x', printf('%08X', hash(h, 11) & 4294967295),
    E'\r\nRemoteAddr: IP=', b_media, ' PORT=', b_rtp, ' SSRC=0x', printf('%08X', hash(h, 12) & 4294967295),
    E'\r\nLocalMetrics:\r\nTimestamps: START=', strftime(t_start, '%Y-%m-%dT%H:%M:%SZ'),
    ' STOP=', strftime(t_stop, '%Y-%m-%dT%H:%M:%SZ'), E'\r\nSessionDesc: PT=', demo_codec(codec_k),
    ' PD=', demo_codec_name(codec_k), E' SR=8000 FD=20 FO=160 FPP=1 PPS=50 SSUP=off\r\nJitterBuffer: JBA=3 JBR=2',
    ' JBN=', 40 + 20 * (jitter > 60)::INT, ' JBM=', 60 + CAST(jit_ms * 2 AS INT), E' JBX=240\r\nPacketLoss: NLR=',
    demo_d1(loss * 100), ' JDR=', demo_d1(loss * 20), E'\r\nBurstGapLoss: BLD=0.0 BD=0 GLD=', demo_d1(loss * 100),
    E' GD=5000 GMIN=16\r\nDelay: RTD=', 20 + (h >> 30) % 80, ' ESD=', 40 + (h >> 36) % 40, ' IAJ=', CAST(jit_ms AS INT),
    E'\r\nQualityEst: RLQ=', CAST(rf AS INT), ' MOSLQ=', demo_mos(rf), ' MOSCQ=', demo_mos(greatest(0, rf - 1)),
    E'\r\n') AS payload,
  concat('{"correlation_id":"', call_id, '","capture_id":', capture_id, ',"mos":', demo_mos(rf),
         '}')::JSON AS data_extra
FROM reports
)sql";

/// Proxy log lines (HEP 100) for every failed call and a fifth of the answered ones.
constexpr const char* kLogQuery = R"sql(
WITH logs AS (
  SELECT *, printf('%016x%016x', hash(h, 100), h2) AS u32,
    ['486 Busy Here', '404 Not Found', '408 Request Timeout', '487 Request Terminated',
     '503 Service Unavailable'][greatest(tpl - 2, 1)] AS outcome,
    demo_ts(day_ts, tod + CASE tpl WHEN 3 THEN 0.71 WHEN 4 THEN 0.03 WHEN 5 THEN ring_s + 30.01
                               WHEN 6 THEN ring_s + 0.01 WHEN 7 THEN 0.05 ELSE ring_s + 0.05 END) AS ts
  FROM @SRC@ WHERE tpl >= 3 OR (h >> 22) % 100 < 20
  ORDER BY ts, c
)
SELECT demo_uuid(u32) AS uuid, day_ts::DATE AS date, ts AS timestamp, call_id AS session_id, b_ip AS src_ip,
  '10.0.0.100' AS dst_ip, node_id,
  concat(strftime(ts, '%b %d %H:%M:%S '), demo_px_host(px), ': ',
    CASE WHEN tpl <= 2 THEN concat('NOTICE: <script>: [', call_id, '] INVITE from sip:', caller, '@', domain, ' (',
                                   a_ip, ':', a_port, '/', lower(transport), ') to sip:', callee, ' answered after ',
                                   demo_d1(ring_s), 's')
         ELSE concat('WARNING: <script>: [', call_id, '] INVITE from sip:', caller, '@', domain, ' to sip:', callee,
                     ' failed: ', outcome) END) AS payload,
  concat('{"correlation_id":"', call_id, '","capture_id":', capture_id, ',"level":"',
         CASE WHEN tpl <= 2 THEN 'notice' ELSE 'warning' END, '"}')::JSON AS data_extra
FROM logs
)sql";

constexpr TableSpec kTables[] = {
    {"hep_proto_1_call", HepSchema::kCall, Source::kCalls, kCallQuery},
    {"hep_proto_1_registration", HepSchema::kRegistration, Source::kRegistrations, kRegistrationQuery},
    {"hep_proto_1_default", HepSchema::kDefault, Source::kPings, kDefaultQuery},
    {"hep_proto_5_default", HepSchema::kMedia, Source::kCalls, kRtcpQuery},
    {"hep_proto_34_default", HepSchema::kMedia, Source::kCalls, kRtpAgentQuery},
    {"hep_proto_35_default", HepSchema::kMedia, Source::kCalls, kRtcpXrQuery},
    {"hep_proto_100_default", HepSchema::kLog, Source::kCalls, kLogQuery},
};

/// `demo_tod()`: the second of the day at each 1/1024 quantile of a weekday call-volume curve
/// (quiet nights, peaks at 10:00 and 15:00), scaled so that every call ends before midnight.
std::string TimeOfDaySql() {
  static constexpr double kHourWeights[24] = {1.0, 0.7, 0.5, 0.4, 0.4, 0.6, 1.2, 2.5, 5.0, 8.0, 9.0, 9.0,
                                              6.5, 7.5, 8.5, 8.5, 7.5, 5.5, 3.5, 2.5, 2.0, 1.8, 1.5, 1.2};
  constexpr double kLastStart = 86280.0;  // leaves room for ringing, the 408 timeout and the hangup
  double total = 0;
  for (double w : kHourWeights) total += w;
  // A variable rather than a list literal in the macro: bound once, not at every use.
  std::string sql = "SET VARIABLE demo_tod = [";
  int hour = 0;
  double below = 0;  // weight of the hours before `hour`
  for (int bin = 0; bin <= 1024; ++bin) {
    const double target = total * bin / 1024.0;
    while (hour < 23 && below + kHourWeights[hour] < target) below += kHourWeights[hour++];
    const double second = 3600.0 * (hour + std::min(1.0, (target - below) / kHourWeights[hour]));
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%s%.3f", bin ? ", " : "", second * kLastStart / 86400.0);
    sql += buf;
  }
  return sql + "]::DOUBLE[]; CREATE OR REPLACE TEMP MACRO demo_tod() AS getvariable('demo_tod');";
}

}  // namespace

const char* const kAllow = "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, PRACK, UPDATE, REFER, NOTIFY, MESSAGE";

std::span<const TableSpec> Tables() { return kTables; }

std::string SetupSql() { return std::string(kMacrosSql) + TimeOfDaySql() + kSourcesSql + kFlowSql; }

}  // namespace homer::lake::demo
